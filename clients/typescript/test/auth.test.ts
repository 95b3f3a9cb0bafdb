// Authentication through the generated TypeScript code against a real
// retaind: no key is refused, the operator key makes a tenant and a reader
// key, and the reader may read but not write.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { createClient } from "@connectrpc/connect";

import { Code, ConnectError, RetainClient } from "../src/index.js";
import { AuthService, Role } from "../src/gen/retain/auth/v1/auth_pb.js";
import { startRetaind, type Retaind } from "./retaind.js";

let server: Retaind;
before(async () => {
  server = await startRetaind();
});
after(async () => server.stop());

test("a call without a key is unauthenticated", async () => {
  const saved = process.env.RETAIN_TOKEN;
  delete process.env.RETAIN_TOKEN;
  try {
    const anonymous = new RetainClient({ server: server.address });
    await assert.rejects(
      async () => {
        for await (const _ of anonymous.accounts.list()) break;
      },
      (err) => ConnectError.from(err).code === Code.Unauthenticated,
    );
  } finally {
    if (saved !== undefined) process.env.RETAIN_TOKEN = saved;
  }
});

test("the operator makes a tenant and a reader who cannot write", async () => {
  const operator = new RetainClient({ server: server.address, token: server.operatorKey });
  const auth = createClient(AuthService, operator.transport);
  await auth.createTenant({ tenantId: "ts-co" });
  const made = await auth.createApiKey({
    parent: "tenants/ts-co",
    apiKey: { role: Role.READER, displayName: "dashboard" },
  });
  assert.match(made.secret, /^rtk_[0-9a-f]{12}_/);
  const reader = new RetainClient({ server: server.address, token: made.secret });
  const caller = await createClient(AuthService, reader.transport).getCaller({});
  assert.equal(caller.tenant, "tenants/ts-co");
  assert.equal(caller.role, Role.READER);
  const accounts = [];
  for await (const a of reader.accounts.list()) accounts.push(a);
  assert.deepEqual(accounts, []);
  await assert.rejects(
    reader.accounts.create("x", { displayName: "X", arr: 10, licensedSeats: 1 }),
    (err) => {
      const e = ConnectError.from(err);
      return e.code === Code.PermissionDenied && /needs role writer/.test(e.message);
    },
  );
});
