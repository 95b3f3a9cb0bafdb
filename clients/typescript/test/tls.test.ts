// The TypeScript client over TLS and mTLS against a real retaind started
// with --tls_cert/--tls_key (and --tls_client_ca), with certificates the
// tests make (test/certs.ts).
import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";

import { createClient } from "@connectrpc/connect";

import { Code, ConnectError, RetainClient } from "../src/index.js";
import { AuthService, Role } from "../src/gen/retain/auth/v1/auth_pb.js";
import { Certs } from "./certs.js";
import { startRetaind, type Retaind } from "./retaind.js";

let certs: Certs;
let server: Retaind | undefined;

before(() => {
  certs = new Certs();
});
after(() => certs.remove());
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function startTls(clientCa = false): Promise<string> {
  server = await startRetaind({ args: certs.serverFlags(clientCa) });
  return server.address;
}

async function listError(client: RetainClient): Promise<ConnectError> {
  try {
    for await (const _ of client.accounts.list()) break;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("the call succeeded");
}

test("caFile connects over TLS", async () => {
  const address = await startTls();
  const retain = new RetainClient({ server: address, token: server!.operatorKey, caFile: certs.pem("ca") });
  await retain.accounts.create("acme", { displayName: "Acme", arr: 1000, licensedSeats: 5 });
  assert.equal((await retain.accounts.get("acme")).displayName, "Acme");
});

test("an https:// server with the CA from RETAIN_CA_FILE", async () => {
  const address = await startTls();
  process.env.RETAIN_CA_FILE = certs.pem("ca");
  try {
    const retain = new RetainClient({ server: `https://${address}`, token: server!.operatorKey });
    const accounts = [];
    for await (const a of retain.accounts.list()) accounts.push(a);
    assert.deepEqual(accounts, []);
  } finally {
    delete process.env.RETAIN_CA_FILE;
  }
});

test("a wrong CA fails with a clear error", async () => {
  const address = await startTls();
  const retain = new RetainClient({ server: address, token: server!.operatorKey, caFile: certs.pem("other-ca"), timeoutMs: 10_000 });
  const err = await listError(retain);
  assert.equal(err.code, Code.Unavailable);
  assert.match(err.message, /certificate verify failed/);
  assert.match(err.message, /does caFile \/ RETAIN_CA_FILE hold the CA/);
  assert.match(err.message, /certificate/);
});

test("a client certificate for mutual TLS", async () => {
  const address = await startTls(true);
  // The certificate names tenant acme, role writer: the operator makes the
  // tenant, then the certificate alone is the credential.
  const operator = new RetainClient({ server: address, token: server!.operatorKey, caFile: certs.pem("ca") });
  await createClient(AuthService, operator.transport).createTenant({ tenantId: "acme" });
  const retain = new RetainClient({
    server: address,
    token: "",
    caFile: certs.pem("ca"),
    certFile: certs.pem("writer"),
    keyFile: certs.key("writer"),
  });
  for await (const _ of retain.accounts.list()) assert.fail("no accounts expected");
  const caller = await createClient(AuthService, retain.transport).getCaller({});
  assert.equal(caller.tenant, "tenants/acme");
  assert.equal(caller.role, Role.WRITER);
});

test("a client certificate from another CA is refused", async () => {
  const address = await startTls(true);
  const retain = new RetainClient({
    server: address,
    token: server!.operatorKey,
    caFile: certs.pem("ca"),
    certFile: certs.pem("rogue"),
    keyFile: certs.key("rogue"),
    timeoutMs: 10_000,
  });
  const err = await listError(retain);
  // retaind closes the connection after the handshake; Node sees the
  // stream end, whatever it calls it.
  assert.ok(err instanceof ConnectError);
});

test("contradictory or unreadable TLS settings are errors", () => {
  assert.throws(() => new RetainClient({ server: "127.0.0.1:1", certFile: certs.pem("writer") }), /certFile needs keyFile/);
  assert.throws(() => new RetainClient({ server: "http://127.0.0.1:1", caFile: certs.pem("ca") }), /use https:\/\//);
  assert.throws(() => new RetainClient({ server: "127.0.0.1:1", caFile: "/nonexistent/ca.pem" }), /caFile: cannot read \/nonexistent\/ca.pem/);
});
