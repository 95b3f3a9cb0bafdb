"""End to end: the generated Python client and its wrapper against a real
retaind — accounts, streamed signals, health and the portfolio report.

Every test starts its own empty server (the ``client`` fixture) and writes
what it reads, so the tests pass in any order."""

import datetime as dt

import grpc
import pytest

import retain
from retain.account.v1 import account_pb2
from retain.report.v1 import report_pb2
from retain.signal.v1 import signal_pb2

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
DAY = dt.timedelta(days=1)


def _create_accounts(client):
    """acme (dedicated, with a sponsor), globex and initech (owned by sam)."""
    acme = client.accounts.create(
        "acme", display_name="Acme Corp", arr=120000, licensed_seats=100,
        contract_start_time=NOW - 500 * DAY, renewal_time=NOW + 200 * DAY,
        csm_owner="dana@retain.example", lifecycle_stage="adoption",
        contacts=[{"display_name": "Ada", "email": "ada@acme.example", "exec_sponsor": True}],
        request_id="py-create-acme")
    client.accounts.create("globex", display_name="Globex", arr=12000, licensed_seats=20,
                           contract_start_time=NOW - 400 * DAY, csm_owner="sam")
    client.accounts.create("initech", display_name="Initech", arr=3000, licensed_seats=10,
                           contract_start_time=NOW - 300 * DAY, csm_owner="sam")
    return acme


def _usage_history(account, seats_used, weeks):
    return [retain.usage(f"py-{account}-usage-{w}", account, NOW - (weeks - w) * 7 * DAY,
                         active_users=seats_used) for w in range(weeks)]


def _signals():
    """62 signals: acme busy and happy, initech idle with a critical ticket."""
    signals = _usage_history("acme", 90, 40) + _usage_history("initech", 1, 20)
    signals.append(retain.touchpoint("py-acme-qbr", "acme", NOW - 3 * DAY, channel="qbr",
                                     exec_involved=True, csm="dana@retain.example"))
    signals.append(retain.survey("py-acme-nps", "acme", NOW - 2 * DAY, kind="nps", score=10))
    signals.append(retain.survey("py-initech-nps", "initech", NOW - 2 * DAY, kind="nps",
                                 score=2, comment="too slow"))
    signals.append(retain.ticket("py-initech-t1", "initech", NOW - DAY, ticket_id="T-1",
                                 status="opened", severity="critical", escalated=True))
    return signals


def _portfolio(client):
    """The three accounts with their signals."""
    _create_accounts(client)
    with client.signals.writer(batch_size=100) as writer:
        writer.extend(_signals())


def test_generated_modules_import_through_the_package():
    # Generated code (gen/) and the wrapper (src/) share the `retain` package.
    assert retain.Client is not None
    assert account_pb2.Account.DESCRIPTOR.full_name == "retain.account.v1.Account"
    assert "StreamSignals" in [m.name for m in
                               signal_pb2.DESCRIPTOR.services_by_name["SignalService"].methods]


def test_accounts_create_list_update_get(client):
    acme = _create_accounts(client)
    assert acme.name == "accounts/acme"
    assert acme.segment == account_pb2.SEGMENT_DEDICATED
    # Same request_id: the first result again, not a second account or error.
    again = client.accounts.create(
        "acme", display_name="Acme Corp", arr=120000, licensed_seats=100,
        contract_start_time=NOW - 500 * DAY, request_id="py-create-acme")
    assert again.name == acme.name

    # page_size 2 forces the iterator to follow a page token.
    names = [a.name for a in client.accounts.list(page_size=2)]
    assert names == ["accounts/acme", "accounts/globex", "accounts/initech"]
    assert [a.name for a in client.accounts.list(csm_owner="sam")] == [
        "accounts/globex", "accounts/initech"]

    updated = client.accounts.update("globex", arr=25000)
    assert updated.arr == 25000
    assert updated.segment == account_pb2.SEGMENT_NAMED
    assert updated.display_name == "Globex"  # untouched by the field mask
    assert client.accounts.get("accounts/globex").arr == 25000


def test_get_missing_account_raises_not_found(client):
    with pytest.raises(retain.RetainError) as err:
        client.accounts.get("no-such-account")
    assert err.value.code == grpc.StatusCode.NOT_FOUND


def test_signal_writer_streams_batches_idempotently(client):
    _create_accounts(client)
    signals = _signals()
    total = len(signals)
    assert total == 64  # 40 + 20 usage, a QBR, two NPS answers, a ticket

    with client.signals.writer(batch_size=7) as writer:
        writer.extend(signals)
    assert writer.result.recorded == total
    assert writer.result.duplicates == 0
    assert writer.result.batches == -(-total // 7)

    # Re-running the same load is a no-op: every id is already stored.
    with client.signals.writer(batch_size=50) as writer:
        writer.extend(signals)
    assert (writer.result.recorded, writer.result.duplicates) == (0, total)

    # The server may add its own signals (e.g. for the account's creation);
    # count the ones this test wrote: acme's 40 usage, QBR and NPS.
    listed = [s for s in client.signals.list("acme", page_size=9)
              if s.signal_id.startswith("py-")]
    assert len(listed) == 42
    times = [s.occur_time.ToDatetime() for s in listed]
    assert times == sorted(times)
    usage_only = list(client.signals.list("acme", kind="usage"))
    assert len(usage_only) == 40
    assert all(s.kind == signal_pb2.SIGNAL_KIND_USAGE for s in usage_only)


def test_rejected_batch_ends_the_stream_and_keeps_earlier_batches(client):
    _create_accounts(client)
    good = [retain.usage(f"py-globex-usage-{i}", "globex", NOW - (10 - i) * DAY,
                         active_users=15) for i in range(5)]
    bad = signal_pb2.Signal(account="accounts/globex")  # no signal_id, no time
    writer = client.signals.writer(batch_size=5)
    writer.extend(good)  # one full batch, sent
    writer.flush()
    writer.add(bad)
    with pytest.raises(retain.RetainError) as err:
        writer.close()
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert len(list(client.signals.list("globex", kind="usage"))) == 5


def test_health_and_at_risk(client):
    _portfolio(client)
    health = client.reports.health("acme")
    assert health.account == "accounts/acme"
    # 90 of 100 seats active (10), sponsor met 3 days ago (10), renewal in
    # 200 days (10); no ticket or CSAT, so support has no data: 10.0, green.
    assert health.score == pytest.approx(10.0)
    engagement = [c for c in health.components if c.name == "engagement"]
    assert engagement and engagement[0].has_data
    assert health.band == account_pb2.HEALTH_BAND_GREEN

    at_risk = list(client.reports.at_risk(page_size=1))
    names = [a.account for a in at_risk]
    assert "accounts/initech" in names
    assert "accounts/acme" not in names
    assert all(a.band == account_pb2.HEALTH_BAND_RED for a in at_risk)


def test_alert_history_lists_filters_and_resumes(client):
    _portfolio(client)
    # Each new account's first score is a band change, stored with a position.
    bands = list(client.reports.alerts(source="core", code="health.band_changed",
                                       oldest_first=True, page_size=2))
    first_bands = {}
    for a in bands:
        first_bands.setdefault(a.account, a.position)
    assert set(first_bands) == {"accounts/acme", "accounts/globex", "accounts/initech"}
    positions = [a.position for a in bands]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    # Newest first (indicator alerts, decision 0026, may come after them).
    newest = list(client.reports.alerts(code="health.band_changed", page_size=1))
    assert newest and newest[0].position == max(positions)
    initech = list(client.reports.alerts(account="initech"))
    assert initech and all(a.account == "accounts/initech" for a in initech)
    with pytest.raises(retain.RetainError) as err:
        list(client.reports.alerts(severity="urgent"))
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.details.startswith("severity: must be info, warning or critical")
    # A watch resuming after the first alert replays the next one first.
    watch = client.reports.watch(after_position=positions[0])
    try:
        replayed = next(watch)
    finally:
        watch.close()
    assert replayed.position == positions[0] + 1


def test_portfolio_report(client):
    _portfolio(client)
    report = client.reports.portfolio()
    assert isinstance(report, report_pb2.PortfolioReport)
    assert report.retention.accounts_end == 3
    scored = sum(s.green + s.yellow + s.red for s in report.health_by_segment)
    assert scored == 3
    assert len(report.retention_trend) == 4
    assert {c.segment for c in report.coverage} >= {account_pb2.SEGMENT_DEDICATED}


def test_breakdown_and_csm_book(client):
    _portfolio(client)
    by_csm = client.reports.breakdown("csm", period_start=NOW - 30 * DAY)
    assert isinstance(by_csm, report_pb2.Breakdown)
    opening = {g.key: g.retention.arr_start for g in by_csm.groups}
    # acme is dana's; globex and initech are sam's (12,000 + 3,000).
    assert opening == {"dana@retain.example": 120000, "sam": 15000}
    assert by_csm.total_retention.arr_start == 135000
    book = client.reports.csm_book()
    rows = {e.csm_owner: (e.accounts, e.arr) for e in book.csms}
    assert rows == {"dana@retain.example": (1, 120000), "sam": (2, 15000)}
    with pytest.raises(retain.RetainError) as err:
        client.reports.breakdown(None)
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT


def test_delete_removes_signals(client):
    _portfolio(client)
    # initech's 20 usage, NPS and ticket, plus any the server recorded itself.
    assert client.accounts.delete("initech") >= 22
    with pytest.raises(retain.RetainError) as err:
        client.accounts.get("initech")
    assert err.value.code == grpc.StatusCode.NOT_FOUND
    assert [a.name for a in client.accounts.list()] == ["accounts/acme", "accounts/globex"]
