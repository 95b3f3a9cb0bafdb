"""Starts a real retaind for the end-to-end tests.

The binary is $RETAIND_BIN, else bazel-bin/core/server/retaind under the
repository root. Each test gets its own server and empty data dir, so no
test reads what another wrote (about 0.2 s each); ``retaind_with_plugins``
also loads the bundled plugins from $RETAIN_PLUGIN_DIR (default
bazel-bin/plugins).
"""

import contextlib
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


BUNDLED_PLUGINS = ("onboarding", "expansion", "advocacy", "voc", "playbooks")


def bundled_plugin_paths() -> list:
    """The five bundled plugin libraries: $RETAIN_PLUGIN_DIR/<name>/lib<name>.so
    (run_tests.sh builds //plugins:bundled when they are missing)."""
    plugin_dir = pathlib.Path(os.environ.get("RETAIN_PLUGIN_DIR") or REPO / "bazel-bin/plugins")
    paths = [plugin_dir / name / f"lib{name}.so" for name in BUNDLED_PLUGINS]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        pytest.fail(f"plugin libraries missing: {missing}: build //plugins:bundled "
                    "or set RETAIN_PLUGIN_DIR")
    return [str(p) for p in paths]


_OPERATOR_KEYS = {}


def operator_key(address: str) -> str:
    """The bootstrap operator key of the retaind serving ``address``."""
    return _OPERATOR_KEYS[address.removeprefix("https://")]


@contextlib.contextmanager
def run_retaind(extra_args=()):
    """Starts retaind on a free port with an empty data dir; yields its address."""
    with tempfile.TemporaryDirectory(prefix="retain-py-") as tmp:
        port_file = pathlib.Path(tmp) / "port"
        data_dir = pathlib.Path(tmp) / "data"
        data_dir.mkdir()
        log = open(pathlib.Path(tmp) / "retaind.log", "wb")
        proc = subprocess.Popen(
            [_retaind_bin(), "--port=0", f"--port_file={port_file}",
             f"--data_dir={data_dir}", "--demo=false", *extra_args],
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
            # Authentication is on: the new store's first operator key.
            _OPERATOR_KEYS[address] = (data_dir / "operator.key").read_text().strip()
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
def retaind():
    """Yields the address of a freshly started retaind with no data."""
    with run_retaind() as address:
        yield address


@pytest.fixture
def retaind_with_plugins():
    """Like ``retaind``, with the five bundled plugins loaded (--plugins)."""
    with run_retaind([f"--plugins={','.join(bundled_plugin_paths())}"]) as address:
        yield address


@pytest.fixture
def client(retaind):
    with retain.Client(retaind, token=operator_key(retaind)) as c:
        c.wait_ready(timeout=10)
        yield c


@pytest.fixture
def plugin_client(retaind_with_plugins):
    with retain.Client(retaind_with_plugins, token=operator_key(retaind_with_plugins)) as c:
        c.wait_ready(timeout=10)
        yield c


class Certs:
    """TLS material made by tests/support/make_certs.sh (the ``openssl``
    command) in one directory: CAs ``ca`` and ``other-ca``, ``server`` (for
    localhost and 127.0.0.1, signed by ca), and the client certificates
    ``writer`` (URI SAN retain://tenant/acme/role/writer, signed by ca) and
    ``rogue`` (signed by other-ca)."""

    SCRIPT = REPO / "tests/support/make_certs.sh"

    def __init__(self, directory: pathlib.Path):
        self.dir = directory
        self._run("all", str(directory))
        self._run("client", str(directory), "ca", "writer", "retain://tenant/acme/role/writer")
        self._run("client", str(directory), "other-ca", "rogue", "retain://tenant/acme/role/admin")

    def _run(self, *args):
        subprocess.run(["bash", str(self.SCRIPT), *args], check=True)

    def pem(self, name: str) -> str:
        return str(self.dir / f"{name}.pem")

    def key(self, name: str) -> str:
        return str(self.dir / f"{name}.key")

    def server_flags(self, client_ca: bool = False) -> list:
        """retaind's flags to serve TLS (and verify client certificates
        against ca when ``client_ca``)."""
        flags = [f"--tls_cert={self.pem('server')}", f"--tls_key={self.key('server')}"]
        if client_ca:
            flags.append(f"--tls_client_ca={self.pem('ca')}")
        return flags


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    return Certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def tls_retaind(certs):
    """A fresh retaind serving TLS with the ``server`` certificate."""
    with run_retaind(certs.server_flags()) as address:
        yield address


@pytest.fixture
def mtls_retaind(certs):
    """Like ``tls_retaind``, also verifying client certificates against ca."""
    with run_retaind(certs.server_flags(client_ca=True)) as address:
        yield address
