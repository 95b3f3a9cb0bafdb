// The bundled plugins through the TypeScript client: a real retaind started
// with --plugins=<the five .so files>; the wrapper's plugins.list() sees them
// READY, and each plugin's generated service answers over the client's
// transport. Each test starts its own server.
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";

import { createClient } from "@connectrpc/connect";
import { PluginState, RetainClient } from "../src/index.js";
import { AdvocacyService, ReferralStatus } from "../src/gen/retain/plugins/advocacy/v1/advocacy_pb.js";
import { ExpansionService, OpportunityType, Stage } from "../src/gen/retain/plugins/expansion/v1/expansion_pb.js";
import { OnboardingService } from "../src/gen/retain/plugins/onboarding/v1/onboarding_pb.js";
import { PlaybookService, PlaybookSource } from "../src/gen/retain/plugins/playbooks/v1/playbooks_pb.js";
import { Source, VocService } from "../src/gen/retain/plugins/voc/v1/voc_pb.js";
import { BUNDLED_PLUGINS, bundledPlugins, startRetaind, type Retaind } from "./retaind.js";

let server: Retaind;
let retain: RetainClient;

beforeEach(async () => {
  server = await startRetaind({ plugins: bundledPlugins() });
  retain = new RetainClient({ server: server.address, token: server.operatorKey });
});

afterEach(async () => {
  await server?.stop();
});

test("plugins.list() shows the five bundled plugins READY", async () => {
  const response = await retain.plugins.list();
  const byName = new Map(response.plugins.map((p) => [p.name, p]));
  assert.deepEqual([...byName.keys()].sort(), [...BUNDLED_PLUGINS].sort());
  for (const name of BUNDLED_PLUGINS) {
    const plugin = byName.get(name)!;
    assert.equal(plugin.state, PluginState.READY, `${name}: ${PluginState[plugin.state]} ${plugin.lastError}`);
    assert.ok(plugin.version, name);
    assert.ok(plugin.services.length > 0, name);
    assert.equal(plugin.abiMajor, response.hostAbiMajor);
    assert.equal(plugin.lastError, "");
  }
});

test("each plugin's generated service answers over the client's transport", async () => {
  await retain.accounts.create("ts-plugins", {
    displayName: "TS Plugins",
    arr: 60000,
    licensedSeats: 30,
    contractStartTime: new Date("2024-01-01T00:00:00Z"),
  });
  const opts = retain.callOptions;

  const onboarding = createClient(OnboardingService, retain.transport);
  const plan = await onboarding.startOnboarding({ accountId: "ts-plugins" }, opts);
  assert.equal(plan.accountId, "ts-plugins");
  assert.ok(plan.milestones.length > 0);

  const expansion = createClient(ExpansionService, retain.transport);
  const opp = await expansion.createOpportunity(
    { accountId: "ts-plugins", type: OpportunityType.UPSELL, amount: 12000, opportunityId: "ts-opp" },
    opts,
  );
  assert.equal(opp.stage, Stage.IDENTIFIED);
  const forecast = await expansion.getForecast({}, opts);
  assert.equal(forecast.openCount, 1);
  assert.equal(forecast.openAmount, 12000);

  const advocacy = createClient(AdvocacyService, retain.transport);
  const referral = await advocacy.createReferral(
    { accountId: "ts-plugins", prospect: "Globex", estimatedArr: 9000 },
    opts,
  );
  assert.equal(referral.status, ReferralStatus.OPEN);
  assert.equal((await advocacy.getFlywheel({}, opts)).referrals, 1);
  const referrals = await advocacy.listReferrals({ accountId: "ts-plugins", pageSize: 10 }, opts);
  assert.deepEqual(
    referrals.referrals.map((r) => r.referralId),
    [referral.referralId],
  );
  assert.equal(referrals.nextPageToken, "");
  const manual = await expansion.listOpportunities({ source: "manual" }, opts);
  assert.deepEqual(
    manual.opportunities.map((o) => o.opportunityId),
    ["ts-opp"],
  );

  const voc = createClient(VocService, retain.transport);
  const feedback = await voc.createFeedback({ accountId: "ts-plugins", text: "Needs SSO", themes: ["security"] }, opts);
  assert.equal(feedback.source, Source.MANUAL);
  const listed = await voc.listFeedback({ theme: "security" }, opts);
  assert.deepEqual(
    listed.feedback.map((f) => f.feedbackId),
    [feedback.feedbackId],
  );
});

test("the playbooks plugin lists playbooks, tasks and plans over the client's transport", async () => {
  await retain.accounts.create("ts-playbooks", {
    displayName: "TS Playbooks",
    arr: 60000,
    licensedSeats: 30,
    contractStartTime: new Date("2024-01-01T00:00:00Z"),
  });
  const opts = retain.callOptions;
  const playbooks = createClient(PlaybookService, retain.transport);

  // The defaults, paged.
  const ids: string[] = [];
  let pageToken = "";
  do {
    const page = await playbooks.listPlaybooks({ pageSize: 4, pageToken }, opts);
    assert.ok(page.playbooks.length <= 4);
    for (const p of page.playbooks) {
      assert.equal(p.source, PlaybookSource.DEFAULT, p.playbookId);
      ids.push(p.playbookId);
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  assert.deepEqual(ids, [...ids].sort());
  assert.ok(ids.includes("risk_red_high_touch"), ids.join(","));

  // The account's first band change may have opened a risk task (the
  // health-event feed); every task listed is this account's, and the
  // renewal playbook opened none (the account has no renewal date).
  const tasks = await playbooks.listTasks({ accountId: "ts-playbooks" }, opts);
  for (const t of tasks.tasks) assert.equal(t.accountId, "ts-playbooks", t.taskId);
  const renewal = await playbooks.listTasks({ accountId: "ts-playbooks", playbookId: "renewal_prep_90" }, opts);
  assert.deepEqual(renewal.tasks, []);
  assert.equal(renewal.nextPageToken, "");

  await playbooks.createSuccessPlan({ plan: { accountId: "ts-playbooks" } }, opts);
  const plans = await playbooks.listSuccessPlans({}, opts);
  assert.deepEqual(
    plans.plans.map((p) => p.accountId),
    ["ts-playbooks"],
  );
});
