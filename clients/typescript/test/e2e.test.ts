// End to end: the generated TypeScript client and its wrapper against a real
// retaind — accounts, streamed signals, health, at-risk and the portfolio report.
// Every test starts its own empty server and writes what it reads, so the
// tests pass in any order.
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";

import {
  Code,
  ConnectError,
  HealthBand,
  RetainClient,
  Segment,
  SignalKind,
  SignalSchema,
  SurveyKind,
  TicketSeverity,
  TouchpointChannel,
  survey,
  ticket,
  touchpoint,
  usage,
  type Signal,
} from "../src/index.js";
import { create } from "@bufbuild/protobuf";
import { startRetaind, type Retaind } from "./retaind.js";

const DAY = 86_400_000;
const now = Date.now();
const daysAgo = (d: number) => new Date(now - d * DAY);

let server: Retaind;
let retain: RetainClient;

beforeEach(async () => {
  server = await startRetaind();
  retain = new RetainClient({ server: server.address, token: server.operatorKey });
});

afterEach(async () => {
  await server?.stop();
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function code(p: Promise<unknown>): Promise<Code | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return ConnectError.from(e).code;
  }
}

function usageHistory(account: string, activeUsers: number, weeks: number): Signal[] {
  return Array.from({ length: weeks }, (_, w) =>
    usage(`ts-${account}-usage-${w}`, account, daysAgo((weeks - w) * 7), { activeUsers }),
  );
}

/** acme (dedicated, with a sponsor), globex and initech (owned by sam). */
async function createAccounts() {
  const acme = await retain.accounts.create(
    "acme",
    {
      displayName: "Acme Corp",
      arr: 120_000,
      licensedSeats: 100,
      contractStartTime: daysAgo(500),
      renewalTime: daysAgo(-200),
      csmOwner: "dana@retain.example",
      contacts: [{ displayName: "Ada", email: "ada@acme.example", execSponsor: true }],
    },
    "ts-create-acme",
  );
  await retain.accounts.create("globex", { displayName: "Globex", arr: 12_000, licensedSeats: 20, contractStartTime: daysAgo(400), csmOwner: "sam" });
  await retain.accounts.create("initech", { displayName: "Initech", arr: 3_000, licensedSeats: 10, contractStartTime: daysAgo(300), csmOwner: "sam" });
  return acme;
}

/** 64 signals: acme busy and happy, initech idle with a critical ticket. */
function portfolioSignals(): Signal[] {
  return [
    ...usageHistory("acme", 90, 40),
    ...usageHistory("initech", 1, 20),
    touchpoint("ts-acme-qbr", "acme", daysAgo(3), { channel: TouchpointChannel.QBR, execInvolved: true, csm: "dana@retain.example" }),
    survey("ts-acme-nps", "acme", daysAgo(2), { kind: SurveyKind.NPS, score: 10 }),
    survey("ts-initech-nps", "initech", daysAgo(2), { kind: SurveyKind.NPS, score: 2, comment: "too slow" }),
    ticket("ts-initech-t1", "initech", daysAgo(1), { ticketId: "T-1", severity: TicketSeverity.CRITICAL, escalated: true }),
  ];
}

/** The three accounts with their signals. */
async function portfolio() {
  await createAccounts();
  const writer = retain.signals.writer({ batchSize: 100 });
  await writer.addAll(portfolioSignals());
  await writer.close();
}

test("accounts: create (idempotent), paginated list, update with a mask, get", async () => {
  const acme = await createAccounts();
  assert.equal(acme.name, "accounts/acme");
  assert.equal(acme.segment, Segment.DEDICATED);
  const again = await retain.accounts.create("acme", { displayName: "Acme Corp", arr: 120_000 }, "ts-create-acme");
  assert.equal(again.name, "accounts/acme");

  const names = (await collect(retain.accounts.list({ pageSize: 2 }))).map((a) => a.name);
  assert.deepEqual(names, ["accounts/acme", "accounts/globex", "accounts/initech"]);
  const sams = (await collect(retain.accounts.list({ csmOwner: "sam" }))).map((a) => a.name);
  assert.deepEqual(sams, ["accounts/globex", "accounts/initech"]);

  const updated = await retain.accounts.update("globex", { arr: 25_000 });
  assert.equal(updated.arr, 25_000);
  assert.equal(updated.segment, Segment.NAMED);
  assert.equal(updated.displayName, "Globex");
  assert.equal((await retain.accounts.get("accounts/globex")).arr, 25_000);
  assert.equal(await code(retain.accounts.get("no-such-account")), Code.NotFound);
});

test("signals: the batching writer streams, re-runs are no-ops, lists page in time order", async () => {
  await createAccounts();
  const signals = portfolioSignals();
  const total = BigInt(signals.length);
  assert.equal(total, 64n);

  const writer = retain.signals.writer({ batchSize: 7 });
  await writer.addAll(signals);
  const first = await writer.close();
  assert.equal(first.recorded, total);
  assert.equal(first.duplicates, 0n);
  assert.equal(first.batches, BigInt(Math.ceil(signals.length / 7)));

  const rerun = retain.signals.writer({ batchSize: 50 });
  await rerun.addAll(signals);
  const second = await rerun.close();
  assert.equal(second.recorded, 0n);
  assert.equal(second.duplicates, total);

  // The server may add its own signals (e.g. for the account's creation);
  // count the ones this test wrote: acme's 40 usage, QBR and NPS.
  const listed = (await collect(retain.signals.list("acme", { pageSize: 9 }))).filter((s) =>
    s.signalId.startsWith("ts-"),
  );
  assert.equal(listed.length, 42);
  const times = listed.map((s) => Number(s.occurTime!.seconds));
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
  const usageOnly = await collect(retain.signals.list("acme", { kind: SignalKind.USAGE }));
  assert.equal(usageOnly.length, 40);
  assert.ok(usageOnly.every((s) => s.kind === SignalKind.USAGE));
});

test("signals: a rejected batch ends the stream; earlier batches stay recorded", async () => {
  await createAccounts();
  const writer = retain.signals.writer({ batchSize: 5 });
  for (let i = 0; i < 5; i++) {
    await writer.add(usage(`ts-globex-usage-${i}`, "globex", daysAgo(10 - i), { activeUsers: 15 }));
  }
  await writer.add(create(SignalSchema, { account: "accounts/globex" })); // no id, no time
  assert.equal(await code(writer.close()), Code.InvalidArgument);
  const listed = await collect(retain.signals.list("globex", { kind: SignalKind.USAGE }));
  assert.equal(listed.length, 5);
});

test("reports: explained health, at-risk list, portfolio", async () => {
  await portfolio();
  const health = await retain.reports.health("acme");
  assert.equal(health.account, "accounts/acme");
  // 90 of 100 seats active (10), sponsor met 3 days ago (10), renewal in
  // 200 days (10); support has no data: 10.0, green.
  assert.ok(Math.abs(health.score - 10) < 1e-9, `score ${health.score}`);
  assert.ok(health.components.some((c) => c.name === "engagement" && c.hasData));
  assert.equal(health.band, HealthBand.GREEN);

  const atRisk = await collect(retain.reports.atRisk({ pageSize: 1 }));
  const names = atRisk.map((a) => a.account);
  assert.ok(names.includes("accounts/initech"), `at risk: ${names}`);
  assert.ok(!names.includes("accounts/acme"));
  assert.ok(atRisk.every((a) => a.band === HealthBand.RED));

  const report = await retain.reports.portfolio();
  assert.equal(report.retention?.accountsEnd, 3);
  const scored = report.healthBySegment.reduce((n, s) => n + s.green + s.yellow + s.red, 0);
  assert.equal(scored, 3);
  assert.equal(report.retentionTrend.length, 4);
});

test("reports: the alert history, filtered, in position order", async () => {
  await portfolio();
  // Each new account's first score is a band change, stored with a position.
  const bands = await collect(
    retain.reports.alerts({ source: "core", code: "health.band_changed", oldestFirst: true, pageSize: 2 }),
  );
  const accounts = new Set(bands.map((a) => a.account));
  assert.deepEqual([...accounts].sort(), ["accounts/acme", "accounts/globex", "accounts/initech"]);
  const positions = bands.map((a) => a.position);
  assert.ok(positions.every((p, i) => i === 0 || p > positions[i - 1]), `positions ${positions}`);
  const initech = await collect(retain.reports.alerts({ account: "initech" }));
  assert.ok(initech.length > 0 && initech.every((a) => a.account === "accounts/initech"));
  const after = await collect(retain.reports.alerts({ afterPosition: positions[0], oldestFirst: true, pageSize: 1 }));
  assert.equal(after[0]?.position, positions[0] + 1n);
  assert.equal(await code(collect(retain.reports.alerts({ severity: "urgent" }))), Code.InvalidArgument);
});

test("accounts: delete removes the signal history", async () => {
  await portfolio();
  // initech's 20 usage, NPS and ticket, plus any the server recorded itself.
  assert.ok((await retain.accounts.delete("initech")) >= 22n);
  assert.equal(await code(retain.accounts.get("initech")), Code.NotFound);
  const left = (await collect(retain.accounts.list({}))).map((a) => a.name);
  assert.deepEqual(left, ["accounts/acme", "accounts/globex"]);
});
