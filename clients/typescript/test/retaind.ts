// Starts a real retaind ($RETAIND_BIN, default bazel-bin/core/server/retaind
// under the repository root) on a free port with an empty data dir.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface Retaind {
  address: string;
  stop(): Promise<void>;
}

export async function startRetaind(): Promise<Retaind> {
  const bin = process.env.RETAIND_BIN || join(repo, "bazel-bin/core/server/retaind");
  if (!existsSync(bin)) throw new Error(`retaind not found at ${bin}: build //core/server:retaind or set RETAIND_BIN`);
  const tmp = mkdtempSync(join(tmpdir(), "retain-ts-"));
  const portFile = join(tmp, "port");
  let output = "";
  const child: ChildProcess = spawn(
    bin,
    ["--port=0", `--port_file=${portFile}`, `--data_dir=${tmp}`, "--demo=false"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (existsSync(portFile)) {
      const port = readFileSync(portFile, "utf8").trim();
      if (port) {
        return {
          address: `127.0.0.1:${port}`,
          async stop() {
            if (child.exitCode === null) child.kill("SIGTERM");
            await exited;
            rmSync(tmp, { recursive: true, force: true });
          },
        };
      }
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`retaind did not start (exit ${child.exitCode}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
