// An out-of-tree plugin's callers generate code with gen.sh --proto-root:
// the template plugin's notes.proto, copied outside the repository's proto
// trees, is generated into its own directory, and the generated service
// calls the real template plugin (libnotes.so) loaded into a real retaind.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { test } from "node:test";

import { createClient } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import { RetainClient } from "../src/index.js";
import { startRetaind } from "./retaind.js";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, "..");
const repo = resolve(pkg, "../..");

function notesPlugin(): string {
  const dir = process.env.RETAIN_PLUGIN_DIR || join(repo, "bazel-bin/plugins");
  const path = join(dir, "template", "libnotes.so");
  if (!existsSync(path)) throw new Error(`${path} missing: build //plugins/template:notes (run_tests.sh does)`);
  return path;
}

function gen(args: string[]) {
  return spawnSync("sh", [join(pkg, "gen.sh"), ...args], { encoding: "utf8" });
}

test("gen.sh --proto-root: the generated service calls the out-of-tree plugin", async () => {
  const root = mkdtempSync(join(tmpdir(), "retain-ts-protos-"));
  // Inside the package, so the generated files resolve @bufbuild/protobuf.
  const out = join(pkg, `.gen-test-${process.pid}`);
  const server = await startRetaind({ plugins: [notesPlugin()] });
  try {
    mkdirSync(join(root, "acme_notes"));
    copyFileSync(join(repo, "plugins/template/notes.proto"), join(root, "acme_notes/notes.proto"));
    const result = gen(["--proto-root", root, "--out", out]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /from .*retain-ts-protos-/);

    const notes = await import(pathToFileURL(join(out, "acme_notes/notes_pb.ts")).href);
    const service = notes.NotesService as DescService;
    assert.equal(service.typeName, "retain.plugins.notes.v1.NotesService");

    const retain = new RetainClient({ server: server.address, token: server.operatorKey });
    await retain.accounts.create("oot", { displayName: "Out Of Tree", arr: 1000 });
    const client = createClient(service, retain.transport) as any;
    const note = await client.addNote({ accountId: "oot", text: "generated out of tree", author: "ts" }, retain.callOptions);
    assert.equal(note.accountId, "oot");
    assert.equal(note.text, "generated out of tree");
    const listed = await client.listNotes({ accountId: "oot" }, retain.callOptions);
    assert.deepEqual(listed.notes.map((n: { text: string }) => n.text), ["generated out of tree"]);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

test("gen.sh rejects a missing proto root", () => {
  const result = gen(["--proto-root", join(tmpdir(), "retain-no-such-root"), "--out", join(pkg, ".gen-test-missing")]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /retain-no-such-root: not a directory/);
});
