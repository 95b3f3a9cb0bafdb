"""Starts a real retaind for the end-to-end tests.

The binary is $RETAIND_BIN, else bazel-bin/core/server/retaind under the
repository root. Each test module gets its own server and empty data dir.
"""

import os
import pathlib
import subprocess
import tempfile
import time

import pytest

import retain

REPO = pathlib.Path(__file__).resolve().parents[3]


def _retaind_bin() -> str:
    path = os.environ.get("RETAIND_BIN") or str(REPO / "bazel-bin/core/server/retaind")
    if not os.access(path, os.X_OK):
        pytest.fail(f"retaind not found at {path}: build //core/server:retaind or set RETAIND_BIN")
    return path


@pytest.fixture(scope="module")
def retaind():
    """Yields the address of a freshly started retaind with no data."""
    with tempfile.TemporaryDirectory(prefix="retain-py-") as tmp:
        port_file = pathlib.Path(tmp) / "port"
        data_dir = pathlib.Path(tmp) / "data"
        data_dir.mkdir()
        log = open(pathlib.Path(tmp) / "retaind.log", "wb")
        proc = subprocess.Popen(
            [_retaind_bin(), "--port=0", f"--port_file={port_file}",
             f"--data_dir={data_dir}", "--demo=false"],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while not (port_file.exists() and port_file.read_text().strip()):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    output = (pathlib.Path(tmp) / "retaind.log").read_text(errors="replace")
                    pytest.fail(f"retaind did not start (exit {proc.poll()}):\n{output}")
                time.sleep(0.05)
            address = f"127.0.0.1:{port_file.read_text().strip()}"
            yield address
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


@pytest.fixture
def client(retaind):
    with retain.Client(retaind, token="test-token") as c:
        c.wait_ready(timeout=10)
        yield c
