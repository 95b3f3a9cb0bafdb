"""Python client for Retain.

The generated messages and stubs live in ``clients/python/gen`` (made by
``gen.sh`` from ``proto/``, never committed) and are importable as
``retain.account.v1.account_pb2`` and so on; this package adds a small
wrapper on top::

    import retain

    with retain.Client("127.0.0.1:7443") as client:
        for account in client.accounts.list(health_band="red"):
            print(account.display_name, account.health_score)
        with client.signals.writer(batch_size=500) as writer:
            writer.add(retain.usage("u-1", "acme", when, active_users=42))
        print(writer.result.recorded)

Put both ``gen`` and ``src`` on ``sys.path`` (pytest.ini does it for the
tests; ``PYTHONPATH=clients/python/gen:clients/python/src`` elsewhere).
"""

# A regular package sees only its own directory; extend __path__ over every
# other ``retain`` directory on sys.path (the generated tree in gen/) so
# ``import retain.account.v1.account_pb2`` finds the generated modules.
import pkgutil as _pkgutil

__path__ = _pkgutil.extend_path(__path__, __name__)  # noqa: F821

from retain.client import (  # noqa: E402
    Client,
    RetainError,
    SignalWriter,
    WriteResult,
    account_name,
    commercial,
    survey,
    ticket,
    touchpoint,
    usage,
)

__all__ = [
    "Client",
    "RetainError",
    "SignalWriter",
    "WriteResult",
    "account_name",
    "commercial",
    "survey",
    "ticket",
    "touchpoint",
    "usage",
]
