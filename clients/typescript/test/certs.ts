// TLS material for the tests, made by tests/support/make_certs.sh (the
// `openssl` command) in a fresh directory: CAs "ca" and "other-ca", "server"
// (localhost and 127.0.0.1, signed by ca), and the client certificates
// "writer" (URI SAN retain://tenant/acme/role/writer, signed by ca) and
// "rogue" (signed by other-ca).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const script = resolve(dirname(fileURLToPath(import.meta.url)), "../../../tests/support/make_certs.sh");

export class Certs {
  readonly dir = mkdtempSync(join(tmpdir(), "retain-ts-certs-"));

  constructor() {
    this.run("all", this.dir);
    this.run("client", this.dir, "ca", "writer", "retain://tenant/acme/role/writer");
    this.run("client", this.dir, "other-ca", "rogue", "retain://tenant/acme/role/admin");
  }

  pem(name: string): string {
    return join(this.dir, `${name}.pem`);
  }

  key(name: string): string {
    return join(this.dir, `${name}.key`);
  }

  /** retaind's flags to serve TLS, verifying client certificates against ca when clientCa. */
  serverFlags(clientCa = false): string[] {
    return [
      `--tls_cert=${this.pem("server")}`,
      `--tls_key=${this.key("server")}`,
      ...(clientCa ? [`--tls_client_ca=${this.pem("ca")}`] : []),
    ];
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(...args: string[]): void {
    const r = spawnSync("bash", [script, ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`make_certs.sh ${args.join(" ")} failed: ${r.stderr}`);
  }
}
