// Starts a real retaind ($RETAIND_BIN, default bazel-bin/core/server/retaind
// under the repository root) on a free port with an empty data dir,
// optionally with plugins loaded (--plugins) and more flags (e.g. TLS).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface Retaind {
  address: string;
  /** The new store's first operator key (authentication is on). */
  operatorKey: string;
  stop(): Promise<void>;
}

/** The bundled plugins, loaded by `startRetaind({ plugins: bundledPlugins() })`. */
export const BUNDLED_PLUGINS = ["onboarding", "expansion", "advocacy", "voc", "playbooks"] as const;

/**
 * Paths of the bundled plugin libraries: $RETAIN_PLUGIN_DIR/<name>/lib<name>.so
 * (default bazel-bin/plugins; run_tests.sh builds //plugins:bundled if missing).
 */
export function bundledPlugins(): string[] {
  const dir = process.env.RETAIN_PLUGIN_DIR || join(repo, "bazel-bin/plugins");
  const paths = BUNDLED_PLUGINS.map((name) => join(dir, name, `lib${name}.so`));
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length) {
    throw new Error(`plugin libraries missing: ${missing.join(", ")}: build //plugins:bundled or set RETAIN_PLUGIN_DIR`);
  }
  return paths;
}

export async function startRetaind(options: { plugins?: string[]; args?: string[] } = {}): Promise<Retaind> {
  const bin = process.env.RETAIND_BIN || join(repo, "bazel-bin/core/server/retaind");
  if (!existsSync(bin)) throw new Error(`retaind not found at ${bin}: build //core/server:retaind or set RETAIND_BIN`);
  const tmp = mkdtempSync(join(tmpdir(), "retain-ts-"));
  const portFile = join(tmp, "port");
  let output = "";
  const child: ChildProcess = spawn(
    bin,
    [
      "--port=0",
      `--port_file=${portFile}`,
      `--data_dir=${tmp}`,
      "--demo=false",
      ...(options.plugins?.length ? [`--plugins=${options.plugins.join(",")}`] : []),
      ...(options.args ?? []),
    ],
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
          operatorKey: readFileSync(join(tmp, "operator.key"), "utf8").trim(),
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
