"""An out-of-tree plugin's callers generate stubs with gen.sh --proto-root:
the template plugin's notes.proto, copied outside the repository's proto
trees, is generated into its own directory, and the generated stub calls the
real template plugin (libnotes.so) loaded into a real retaind."""

import importlib
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, operator_key, run_retaind

import retain


def _notes_plugin() -> str:
    plugin_dir = pathlib.Path(os.environ.get("RETAIN_PLUGIN_DIR") or REPO / "bazel-bin/plugins")
    path = plugin_dir / "template" / "libnotes.so"
    if not path.is_file():
        pytest.fail(f"{path} missing: build //plugins/template:notes (run_tests.sh does)")
    return str(path)


@pytest.fixture
def generated_notes(tmp_path, monkeypatch):
    """gen.sh with the template proto as an extra root, into tmp_path/gen."""
    root = tmp_path / "acme_protos"
    (root / "acme_notes").mkdir(parents=True)
    shutil.copy(REPO / "plugins/template/notes.proto", root / "acme_notes/notes.proto")
    out = tmp_path / "gen"
    result = subprocess.run(
        ["bash", str(REPO / "clients/python/gen.sh"), "--proto-root", str(root), "--out", str(out)],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "from " + str(root) in result.stdout, result.stdout
    monkeypatch.syspath_prepend(str(out))
    for name in ("acme_notes", "acme_notes.notes_pb2", "acme_notes.notes_pb2_grpc"):
        sys.modules.pop(name, None)
    return (importlib.import_module("acme_notes.notes_pb2"),
            importlib.import_module("acme_notes.notes_pb2_grpc"))


def test_generated_stub_from_an_extra_root_calls_the_plugin(generated_notes):
    notes_pb2, notes_pb2_grpc = generated_notes
    with run_retaind([f"--plugins={_notes_plugin()}"]) as address:
        with retain.Client(address, token=operator_key(address)) as c:
            c.wait_ready(timeout=10)
            c.accounts.create("oot", display_name="Out Of Tree", arr=1000)
            stub = notes_pb2_grpc.NotesServiceStub(c.channel)
            note = c.call(stub.AddNote, notes_pb2.AddNoteRequest(
                account_id="oot", text="generated out of tree", author="py"))
            assert note.account_id == "oot"
            assert note.text == "generated out of tree"
            listed = c.call(stub.ListNotes, notes_pb2.ListNotesRequest(account_id="oot"))
            assert [n.text for n in listed.notes] == ["generated out of tree"]


def test_gen_rejects_a_missing_root(tmp_path):
    result = subprocess.run(
        ["bash", str(REPO / "clients/python/gen.sh"), "--proto-root", str(tmp_path / "nope"),
         "--out", str(tmp_path / "gen")], capture_output=True, text=True)
    assert result.returncode == 2
    assert "nope: not a directory" in result.stderr
