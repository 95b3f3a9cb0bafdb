"""The Python client over TLS and mTLS against a real retaind started with
--tls_cert/--tls_key (and --tls_client_ca), with certificates the tests make
(``certs``, ``tls_retaind`` and ``mtls_retaind`` in conftest.py)."""

import grpc
import pytest

import retain
from conftest import operator_key
from retain.auth.v1 import auth_pb2, auth_pb2_grpc


def test_ca_file_connects_over_tls(certs, tls_retaind):
    with retain.Client(tls_retaind, token=operator_key(tls_retaind), ca_file=certs.pem("ca")) as c:
        c.accounts.create("acme", display_name="Acme", arr=1000, licensed_seats=5)
        assert c.accounts.get("acme").display_name == "Acme"


def test_https_target_with_ca_from_the_environment(certs, tls_retaind, monkeypatch):
    monkeypatch.setenv("RETAIN_CA_FILE", certs.pem("ca"))
    with retain.Client(f"https://{tls_retaind}", token=operator_key(tls_retaind)) as c:
        assert list(c.accounts.list()) == []


def test_wrong_ca_fails_with_a_clear_error(certs, tls_retaind):
    with retain.Client(tls_retaind, token=operator_key(tls_retaind), ca_file=certs.pem("other-ca"), timeout=10) as c:
        with pytest.raises(retain.RetainError) as err:
            c.accounts.get("acme")
    assert err.value.code == grpc.StatusCode.UNAVAILABLE
    assert "certificate verify failed" in err.value.details


def test_plaintext_client_cannot_reach_a_tls_server(tls_retaind):
    with retain.Client(tls_retaind, token=operator_key(tls_retaind), timeout=10) as c:
        with pytest.raises(retain.RetainError) as err:
            c.accounts.get("acme")
    assert err.value.code == grpc.StatusCode.UNAVAILABLE


def test_client_certificate_for_mutual_tls(certs, mtls_retaind, monkeypatch):
    # The certificate names tenant acme, role writer: the operator makes the
    # tenant, then the certificate alone is the credential.
    with retain.Client(mtls_retaind, token=operator_key(mtls_retaind), ca_file=certs.pem("ca")) as c:
        auth_pb2_grpc.AuthServiceStub(c.channel).CreateTenant(
            auth_pb2.CreateTenantRequest(tenant_id="acme"), metadata=c.metadata)
    monkeypatch.delenv("RETAIN_TOKEN", raising=False)
    with retain.Client(mtls_retaind, ca_file=certs.pem("ca"),
                       cert_file=certs.pem("writer"), key_file=certs.key("writer")) as c:
        assert list(c.accounts.list()) == []
        caller = auth_pb2_grpc.AuthServiceStub(c.channel).GetCaller(auth_pb2.GetCallerRequest())
        assert caller.tenant == "tenants/acme"
        assert caller.role == auth_pb2.ROLE_WRITER
    monkeypatch.setenv("RETAIN_CERT_FILE", certs.pem("writer"))
    monkeypatch.setenv("RETAIN_KEY_FILE", certs.key("writer"))
    with retain.Client(mtls_retaind, ca_file=certs.pem("ca")) as c:
        assert list(c.accounts.list()) == []


def test_client_certificate_from_another_ca_is_refused(certs, mtls_retaind):
    with retain.Client(mtls_retaind, token=operator_key(mtls_retaind), ca_file=certs.pem("ca"), timeout=10,
                       cert_file=certs.pem("rogue"), key_file=certs.key("rogue")) as c:
        with pytest.raises(retain.RetainError) as err:
            c.accounts.get("acme")
    assert err.value.code == grpc.StatusCode.UNAVAILABLE


def test_contradictory_or_unreadable_tls_settings_are_errors(certs):
    with pytest.raises(ValueError, match="cert_file needs key_file"):
        retain.Client("127.0.0.1:1", cert_file=certs.pem("writer"))
    with pytest.raises(ValueError, match="use https://"):
        retain.Client("http://127.0.0.1:1", ca_file=certs.pem("ca"))
    with pytest.raises(ValueError, match="ca_file: cannot read /nonexistent/ca.pem"):
        retain.Client("127.0.0.1:1", ca_file="/nonexistent/ca.pem")
