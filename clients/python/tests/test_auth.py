"""Authentication through the generated Python code against a real retaind:
no key is refused, the operator key makes a tenant and a reader key, and the
reader may read but not write."""

import grpc
import pytest

import retain
from conftest import operator_key
from retain.auth.v1 import auth_pb2, auth_pb2_grpc


def test_a_call_without_a_key_is_unauthenticated(retaind, monkeypatch):
    monkeypatch.delenv("RETAIN_TOKEN", raising=False)
    with retain.Client(retaind, timeout=10) as c:
        with pytest.raises(retain.RetainError) as err:
            list(c.accounts.list())
    assert err.value.code == grpc.StatusCode.UNAUTHENTICATED


def test_operator_makes_a_tenant_and_a_reader_who_cannot_write(retaind):
    with retain.Client(retaind, token=operator_key(retaind)) as op:
        stub = auth_pb2_grpc.AuthServiceStub(op.channel)
        stub.CreateTenant(auth_pb2.CreateTenantRequest(tenant_id="py-co"),
                          metadata=op.metadata)
        made = stub.CreateApiKey(
            auth_pb2.CreateApiKeyRequest(
                parent="tenants/py-co",
                api_key=auth_pb2.ApiKey(role=auth_pb2.ROLE_READER, display_name="dash")),
            metadata=op.metadata)
        op.accounts.create("acme", display_name="Operator's Acme", arr=1000, licensed_seats=5)
    with retain.Client(retaind, token=made.secret) as reader:
        caller = auth_pb2_grpc.AuthServiceStub(reader.channel).GetCaller(
            auth_pb2.GetCallerRequest(), metadata=reader.metadata)
        assert caller.tenant == "tenants/py-co"
        assert caller.role == auth_pb2.ROLE_READER
        # Its own tenant is empty: the default tenant's account is not there.
        assert list(reader.accounts.list()) == []
        with pytest.raises(retain.RetainError) as err:
            reader.accounts.create("x", display_name="X", arr=10, licensed_seats=1)
    assert err.value.code == grpc.StatusCode.PERMISSION_DENIED
    assert "needs role writer" in err.value.details
