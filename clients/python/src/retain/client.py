"""A small, idiomatic wrapper over Retain's generated gRPC stubs.

Everything here is a thin layer: the messages are the generated ones
(``retain.account.v1.account_pb2.Account`` ...), lists are iterators that
follow page tokens, and ``SignalWriter`` batches signals onto one
``StreamSignals`` call. Errors surface as ``RetainError`` carrying the gRPC
status code.
"""

from __future__ import annotations

import datetime as _dt
import os
import queue
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional, Sequence, Union

import grpc
from google.protobuf import field_mask_pb2, timestamp_pb2

from retain.account.v1 import account_pb2, account_pb2_grpc
from retain.plugin.v1 import plugin_service_pb2, plugin_service_pb2_grpc
from retain.report.v1 import report_pb2, report_pb2_grpc
from retain.signal.v1 import signal_pb2, signal_pb2_grpc

DEFAULT_SERVER = "127.0.0.1:7443"

TimeLike = Union[_dt.datetime, _dt.date, timestamp_pb2.Timestamp, str, None]


class RetainError(Exception):
    """A failed call: ``code`` is the ``grpc.StatusCode``, ``details`` the
    server's message."""

    def __init__(self, code: grpc.StatusCode, details: str):
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details

    @classmethod
    def from_rpc_error(cls, err: grpc.RpcError) -> "RetainError":
        return cls(err.code(), err.details() or "")


def account_name(account: str) -> str:
    """``"acme"`` or ``"accounts/acme"`` -> ``"accounts/acme"``."""
    return account if account.startswith("accounts/") else f"accounts/{account}"


def timestamp(value: TimeLike) -> Optional[timestamp_pb2.Timestamp]:
    """A Timestamp from a datetime (naive means UTC), a date (midnight UTC),
    an RFC 3339 string or a Timestamp; None stays None."""
    if value is None:
        return None
    if isinstance(value, timestamp_pb2.Timestamp):
        return value
    ts = timestamp_pb2.Timestamp()
    if isinstance(value, str):
        ts.FromJsonString(value if "T" in value else value + "T00:00:00Z")
        return ts
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        ts.FromDatetime(value.astimezone(_dt.timezone.utc).replace(tzinfo=None))
        return ts
    if isinstance(value, _dt.date):
        ts.FromDatetime(_dt.datetime(value.year, value.month, value.day))
        return ts
    raise TypeError(f"not a time: {value!r}")


def _enum(enum_type, prefix: str, value) -> int:
    """Accepts an enum number, its full name or its short lower-case name:
    ``2``, ``"HEALTH_BAND_RED"`` or ``"red"``."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    name = str(value).upper().replace("-", "_")
    if not name.startswith(prefix):
        name = prefix + name
    return enum_type.Value(name)


# --- signal constructors ---------------------------------------------------


def _signal(signal_id: str, account: str, occur_time: TimeLike) -> signal_pb2.Signal:
    return signal_pb2.Signal(
        signal_id=signal_id,
        account=account_name(account),
        occur_time=timestamp(occur_time or _dt.datetime.now(_dt.timezone.utc)),
    )


def usage(signal_id: str, account: str, occur_time: TimeLike, *, active_users: int,
          window_days: int = 7, feature_users: Optional[dict] = None) -> signal_pb2.Signal:
    """Active users in the window ending at occur_time (weekly by default)."""
    s = _signal(signal_id, account, occur_time)
    s.usage.active_users = active_users
    s.usage.window_days = window_days
    s.usage.feature_users.update(feature_users or {})
    return s


def ticket(signal_id: str, account: str, occur_time: TimeLike, *, ticket_id: str,
           status="opened", severity=None, escalated: bool = False,
           subject: str = "") -> signal_pb2.Signal:
    s = _signal(signal_id, account, occur_time)
    s.ticket.ticket_id = ticket_id
    s.ticket.status = _enum(signal_pb2.TicketStatus, "TICKET_STATUS_", status)
    s.ticket.severity = _enum(signal_pb2.TicketSeverity, "TICKET_SEVERITY_", severity)
    s.ticket.escalated = escalated
    s.ticket.subject = subject
    return s


def survey(signal_id: str, account: str, occur_time: TimeLike, *, kind, score: int,
           comment: str = "", respondent: str = "") -> signal_pb2.Signal:
    """An NPS (0-10), CSAT (1-5) or CES (1-7) answer; kind "nps"|"csat"|"ces"."""
    s = _signal(signal_id, account, occur_time)
    s.survey.kind = _enum(signal_pb2.SurveyKind, "SURVEY_KIND_", kind)
    s.survey.score = score
    s.survey.comment = comment
    s.survey.respondent = respondent
    return s


def touchpoint(signal_id: str, account: str, occur_time: TimeLike, *, channel="meeting",
               with_contact: str = "", exec_involved: bool = False, csm: str = "",
               notes: str = "") -> signal_pb2.Signal:
    s = _signal(signal_id, account, occur_time)
    s.touchpoint.channel = _enum(signal_pb2.TouchpointChannel, "TOUCHPOINT_CHANNEL_", channel)
    s.touchpoint.with_contact = with_contact
    s.touchpoint.exec_involved = exec_involved
    s.touchpoint.csm = csm
    s.touchpoint.notes = notes
    return s


def commercial(signal_id: str, account: str, occur_time: TimeLike, *, kind,
               arr_delta: float = 0.0, reason: str = "",
               next_renewal_time: TimeLike = None) -> signal_pb2.Signal:
    """kind: "new_logo", "renewal", "expansion", "contraction", "churn",
    "payment_overdue" or "payment_received"."""
    s = _signal(signal_id, account, occur_time)
    s.commercial.kind = _enum(signal_pb2.CommercialEventKind, "COMMERCIAL_EVENT_KIND_", kind)
    s.commercial.arr_delta = arr_delta
    s.commercial.reason = reason
    if next_renewal_time is not None:
        s.commercial.next_renewal_time.CopyFrom(timestamp(next_renewal_time))
    return s


# --- the client ------------------------------------------------------------


def _read_pem(what: str, path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as err:
        raise ValueError(f"{what}: cannot read {path}: {err.strerror}") from None


def _open_channel(target: str, ca_file: Optional[str], cert_file: Optional[str],
                  key_file: Optional[str]) -> grpc.Channel:
    """TLS when ``target`` starts with ``https://`` or a CA or client
    certificate is given (without a CA file, the system's CAs are trusted);
    plaintext otherwise, as for ``http://`` or a bare ``host:port``."""
    if bool(cert_file) != bool(key_file):
        raise ValueError("cert_file needs key_file" if cert_file else "key_file needs cert_file")
    tls = bool(ca_file or cert_file)
    if target.startswith("https://"):
        target, tls = target[len("https://"):], True
    elif target.startswith("http://"):
        if tls:
            raise ValueError("an http:// target is plaintext, but ca_file or cert_file "
                             "asks for TLS: use https:// or host:port")
        target = target[len("http://"):]
    if not tls:
        return grpc.insecure_channel(target)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_read_pem("ca_file", ca_file) if ca_file else None,
        private_key=_read_pem("key_file", key_file) if key_file else None,
        certificate_chain=_read_pem("cert_file", cert_file) if cert_file else None)
    return grpc.secure_channel(target, credentials)


class Client:
    """A connection to one retaind.

    ``target`` defaults to ``$RETAIN_SERVER`` or ``127.0.0.1:7443``; ``token``
    to ``$RETAIN_TOKEN`` and is sent as ``authorization: Bearer <token>``.

    TLS: ``ca_file`` (default ``$RETAIN_CA_FILE``) is the PEM CA that signed
    retaind's certificate; ``cert_file`` and ``key_file`` (default
    ``$RETAIN_CERT_FILE``, ``$RETAIN_KEY_FILE``) a client certificate for
    mTLS. Any of them, or an ``https://`` target, means TLS.
    """

    def __init__(self, target: Optional[str] = None, *, token: Optional[str] = None,
                 timeout: Optional[float] = 30.0,
                 channel: Optional[grpc.Channel] = None,
                 ca_file: Optional[str] = None, cert_file: Optional[str] = None,
                 key_file: Optional[str] = None):
        target = target or os.environ.get("RETAIN_SERVER") or DEFAULT_SERVER
        token = token if token is not None else os.environ.get("RETAIN_TOKEN")
        if channel is None:
            channel = _open_channel(
                target,
                ca_file if ca_file is not None else os.environ.get("RETAIN_CA_FILE"),
                cert_file if cert_file is not None else os.environ.get("RETAIN_CERT_FILE"),
                key_file if key_file is not None else os.environ.get("RETAIN_KEY_FILE"))
        self._channel = channel
        self.metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self.timeout = timeout
        self.account_stub = account_pb2_grpc.AccountServiceStub(self._channel)
        self.signal_stub = signal_pb2_grpc.SignalServiceStub(self._channel)
        self.report_stub = report_pb2_grpc.ReportServiceStub(self._channel)
        self.plugin_stub = plugin_service_pb2_grpc.PluginServiceStub(self._channel)
        self.accounts = Accounts(self)
        self.signals = Signals(self)
        self.reports = Reports(self)
        self.plugins = Plugins(self)

    def call(self, method, request):
        """Calls a unary stub method with the client's metadata and timeout,
        turning grpc.RpcError into RetainError."""
        try:
            return method(request, metadata=self.metadata, timeout=self.timeout)
        except grpc.RpcError as err:
            raise RetainError.from_rpc_error(err) from None

    @property
    def channel(self) -> grpc.Channel:
        """The channel, for stubs the wrapper does not cover (e.g. a plugin's
        ``retain.plugins.expansion.v1.expansion_pb2_grpc.ExpansionServiceStub``);
        pass their methods to ``call`` to get the token and the timeout."""
        return self._channel

    def wait_ready(self, timeout: float = 10.0) -> None:
        grpc.channel_ready_future(self._channel).result(timeout=timeout)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _pages(fetch, items_field: str) -> Iterator:
    token = ""
    while True:
        response = fetch(token)
        yield from getattr(response, items_field)
        token = response.next_page_token
        if not token:
            return


_ACCOUNT_TIME_FIELDS = {"contract_start_time", "renewal_time"}
_ACCOUNT_ENUM_FIELDS = {
    "segment": (account_pb2.Segment, "SEGMENT_"),
    "lifecycle_stage": (account_pb2.LifecycleStage, "LIFECYCLE_STAGE_"),
}


def _account_from_fields(fields: dict) -> account_pb2.Account:
    account = account_pb2.Account()
    for key, value in fields.items():
        if key in _ACCOUNT_TIME_FIELDS:
            getattr(account, key).CopyFrom(timestamp(value))
        elif key in _ACCOUNT_ENUM_FIELDS:
            setattr(account, key, _enum(*_ACCOUNT_ENUM_FIELDS[key], value))
        elif key == "contacts":
            account.contacts.extend(
                c if isinstance(c, account_pb2.Contact) else account_pb2.Contact(**c)
                for c in value)
        else:
            setattr(account, key, value)
    return account


class Accounts:
    def __init__(self, client: Client):
        self._c = client

    def list(self, *, segment=None, csm_owner: str = "", lifecycle_stage=None,
             health_band=None, page_size: int = 200) -> Iterator[account_pb2.Account]:
        """Every matching account in name order, fetching pages lazily."""
        def fetch(token):
            return self._c.call(self._c.account_stub.ListAccounts, account_pb2.ListAccountsRequest(
                page_size=page_size, page_token=token,
                segment=_enum(account_pb2.Segment, "SEGMENT_", segment),
                csm_owner=csm_owner,
                lifecycle_stage=_enum(account_pb2.LifecycleStage, "LIFECYCLE_STAGE_", lifecycle_stage),
                health_band=_enum(account_pb2.HealthBand, "HEALTH_BAND_", health_band)))
        return _pages(fetch, "accounts")

    def get(self, account: str) -> account_pb2.Account:
        return self._c.call(self._c.account_stub.GetAccount,
                            account_pb2.GetAccountRequest(name=account_name(account)))

    def create(self, account_id: str = "", account: Optional[account_pb2.Account] = None, *,
               request_id: str = "", **fields) -> account_pb2.Account:
        """``create("acme", display_name="Acme", arr=50000, contract_start_time=date(...))``.
        A retried create with the same request_id returns the first result."""
        if account is None:
            account = _account_from_fields(fields)
        return self._c.call(self._c.account_stub.CreateAccount, account_pb2.CreateAccountRequest(
            account_id=account_id, account=account, request_id=request_id))

    def update(self, account: str, **fields) -> account_pb2.Account:
        """Updates exactly the given fields: ``update("acme", arr=60000)``."""
        message = _account_from_fields(fields)
        message.name = account_name(account)
        return self._c.call(self._c.account_stub.UpdateAccount, account_pb2.UpdateAccountRequest(
            account=message, update_mask=field_mask_pb2.FieldMask(paths=sorted(fields))))

    def delete(self, account: str) -> int:
        """Deletes the account and its signals; returns how many signals went."""
        return self._c.call(self._c.account_stub.DeleteAccount,
                            account_pb2.DeleteAccountRequest(name=account_name(account))).deleted_signals


@dataclass
class WriteResult:
    recorded: int = 0
    duplicates: int = 0
    batches: int = 0


class SignalWriter:
    """Buffers signals and sends them ``batch_size`` at a time on a single
    ``StreamSignals`` call. Use as a context manager; ``result`` holds the
    server's counts after close. Batches are recorded all or nothing; a
    rejected batch ends the stream and ``close`` raises RetainError (earlier
    batches stay recorded, and re-sending them is a no-op thanks to signal
    ids)."""

    _DONE = object()

    def __init__(self, client: Client, batch_size: int = 500):
        if not 1 <= batch_size <= 10000:
            raise ValueError("batch_size must be 1..10000")
        self._batch_size = batch_size
        self._buffer: list = []
        self._queue: "queue.Queue" = queue.Queue(maxsize=4)
        self._closed = False
        self.sent = 0
        self.result: Optional[WriteResult] = None
        self._future = client.signal_stub.StreamSignals.future(
            self._requests(), metadata=client.metadata)

    def _requests(self):
        while True:
            batch = self._queue.get()
            if batch is self._DONE:
                return
            yield signal_pb2.StreamSignalsRequest(signals=batch)

    def _put(self, item) -> None:
        # Blocks while the server is behind (backpressure), but never after
        # the call has ended: then the queue would never drain.
        while True:
            if self._future.done():
                self._raise_if_failed()
                raise RetainError(grpc.StatusCode.ABORTED, "stream ended early")
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _raise_if_failed(self) -> None:
        try:
            self._future.result()
        except grpc.RpcError as err:
            raise RetainError.from_rpc_error(err) from None

    def add(self, signal: signal_pb2.Signal) -> None:
        if self._closed:
            raise RuntimeError("writer is closed")
        self._buffer.append(signal)
        if len(self._buffer) >= self._batch_size:
            self.flush()

    def extend(self, signals: Iterable[signal_pb2.Signal]) -> None:
        for s in signals:
            self.add(s)

    def flush(self) -> None:
        if self._buffer:
            batch, self._buffer = self._buffer, []
            self._put(batch)
            self.sent += len(batch)

    def close(self) -> WriteResult:
        if self._closed:
            return self.result
        self.flush()
        self._closed = True
        self._put(self._DONE)
        self._raise_if_failed()
        r = self._future.result()
        self.result = WriteResult(r.recorded, r.duplicates, r.batches)
        return self.result

    def abort(self) -> None:
        self._closed = True
        self._future.cancel()

    def __enter__(self) -> "SignalWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class Signals:
    def __init__(self, client: Client):
        self._c = client

    def record(self, signals: Sequence[signal_pb2.Signal]) -> signal_pb2.RecordSignalsResponse:
        """Records up to 10,000 signals in one all-or-nothing call."""
        return self._c.call(self._c.signal_stub.RecordSignals,
                            signal_pb2.RecordSignalsRequest(signals=signals))

    def writer(self, batch_size: int = 500) -> SignalWriter:
        return SignalWriter(self._c, batch_size)

    def list(self, account: str, *, kind=None, start: TimeLike = None, end: TimeLike = None,
             page_size: int = 500) -> Iterator[signal_pb2.Signal]:
        """One account's signals in time order, fetching pages lazily."""
        def fetch(token):
            return self._c.call(self._c.signal_stub.ListSignals, signal_pb2.ListSignalsRequest(
                account=account_name(account),
                kind=_enum(signal_pb2.SignalKind, "SIGNAL_KIND_", kind),
                start_time=timestamp(start), end_time=timestamp(end),
                page_size=page_size, page_token=token))
        return _pages(fetch, "signals")


class Reports:
    def __init__(self, client: Client):
        self._c = client

    def health(self, account: str, *, as_of: TimeLike = None) -> report_pb2.AccountHealth:
        return self._c.call(self._c.report_stub.GetAccountHealth, report_pb2.GetAccountHealthRequest(
            account=account_name(account), as_of_time=timestamp(as_of)))

    def at_risk(self, *, segment=None, as_of: TimeLike = None,
                page_size: int = 200) -> Iterator[report_pb2.AccountHealth]:
        """Red accounts, largest ARR first."""
        def fetch(token):
            return self._c.call(self._c.report_stub.ListAtRiskAccounts,
                                report_pb2.ListAtRiskAccountsRequest(
                                    as_of_time=timestamp(as_of), page_size=page_size,
                                    page_token=token,
                                    segment=_enum(account_pb2.Segment, "SEGMENT_", segment)))
        return _pages(fetch, "accounts")

    def portfolio(self, *, as_of: TimeLike = None,
                  period_start: TimeLike = None) -> report_pb2.PortfolioReport:
        return self._c.call(self._c.report_stub.GetPortfolioReport,
                            report_pb2.GetPortfolioReportRequest(
                                as_of_time=timestamp(as_of),
                                period_start_time=timestamp(period_start)))

    def breakdown(self, by, *, as_of: TimeLike = None,
                  period_start: TimeLike = None) -> report_pb2.Breakdown:
        """Retention and survey figures per group; ``by`` is "segment",
        "csm", "stage" or "cohort" (each account in its group at the period
        start)."""
        return self._c.call(self._c.report_stub.GetBreakdown,
                            report_pb2.GetBreakdownRequest(
                                as_of_time=timestamp(as_of),
                                period_start_time=timestamp(period_start),
                                dimension=_enum(report_pb2.BreakdownDimension,
                                                "BREAKDOWN_DIMENSION_", by)))

    def csm_book(self, *, as_of: TimeLike = None) -> report_pb2.CsmBook:
        """Each CSM's accounts, ARR, red accounts, cadence breaches and
        renewals due; the no-owner row (``csm_owner == ""``) last."""
        return self._c.call(self._c.report_stub.GetCsmBook,
                            report_pb2.GetCsmBookRequest(as_of_time=timestamp(as_of)))

    def validate_health_model(self, *, as_of: TimeLike = None, period_start: TimeLike = None,
                              lead_days: int = 0) -> report_pb2.HealthModelValidation:
        return self._c.call(self._c.report_stub.ValidateHealthModel,
                            report_pb2.ValidateHealthModelRequest(
                                as_of_time=timestamp(as_of),
                                period_start_time=timestamp(period_start),
                                lead_days=lead_days))

    def alerts(self, *, account: Optional[str] = None, source: str = "", code: str = "",
               severity: str = "", start: TimeLike = None, end: TimeLike = None,
               after_position: int = 0, oldest_first: bool = False,
               page_size: int = 200) -> Iterator[report_pb2.HealthAlert]:
        """The stored alert history (band changes and plugin alerts), newest
        first unless ``oldest_first``; each alert carries its ``position``."""
        def fetch(token):
            return self._c.call(self._c.report_stub.ListAlerts, report_pb2.ListAlertsRequest(
                account=account_name(account) if account else "", source=source, code=code,
                severity=severity, start_time=timestamp(start), end_time=timestamp(end),
                after_position=after_position, oldest_first=oldest_first,
                page_size=page_size, page_token=token))
        return _pages(fetch, "alerts")

    def watch(self, *, include_current_red: bool = False,
              after_position: Optional[int] = None) -> Iterator[report_pb2.HealthAlert]:
        """Alerts as accounts change band and plugins raise them, until the
        iterator is closed. With ``after_position`` (the last position seen)
        the stored alerts after it come first: a watch that resumes."""
        request = report_pb2.WatchHealthRequest(include_current_red=include_current_red)
        if after_position is not None:
            request.after_position = after_position
        call = self._c.report_stub.WatchHealth(request, metadata=self._c.metadata)
        try:
            yield from call
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.CANCELLED:
                raise RetainError.from_rpc_error(err) from None
        finally:
            call.cancel()


class Plugins:
    def __init__(self, client: Client):
        self._c = client

    def list(self) -> plugin_service_pb2.ListPluginsResponse:
        """Every plugin the server tried to load, with its state and counters."""
        return self._c.call(self._c.plugin_stub.ListPlugins, plugin_service_pb2.ListPluginsRequest())
