"""The fanned-out monitor, simulated: the dispatcher queues units in moto's SQS, the workers run
concurrently in process on SQS-shaped events against a fleet of CloudBasic simulators, and the run's
record in the state table (moto's DynamoDB) adds up their totals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from cbprovider.automation import lambda_dispatch, lambda_worker
from cbprovider.automation.ledger import RunLedger, cursor_key
from cbprovider.automation.totals import RunTotals

from simulators.fleet import atomic_dynamodb, cloudbasic_fleet, create_queue, drain, register
from simulators.stack import STATE_TABLE, local_aws, register_endpoint
from tests.automation.conftest import dimensions, emf_documents, emf_value


@pytest.fixture
def aws_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with local_aws(), atomic_dynamodb():
        url = create_queue()
        monkeypatch.setenv("MONITOR_QUEUE_URL", url)
        yield url


def lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def run_once(queue: str, *, concurrency: int = 4, timeout: float = 60.0) -> dict[str, Any]:
    dispatched = lambda_dispatch.handle({}, None)
    drained = drain(queue, lambda_worker.handle, concurrency=concurrency, timeout=timeout)
    assert drained.errors == []
    assert drained.failed == []
    assert drained.invocations == dispatched["units"]
    return dispatched


def test_a_run_covers_every_replication_of_every_endpoint_and_reports_once(
    aws_queue, capsys, caplog, monkeypatch
):
    monkeypatch.setenv("MONITOR_BATCH_SIZE", "5")
    with cloudbasic_fleet(6, 12) as fleet:
        register(fleet)
        capsys.readouterr()
        first = run_once(aws_queue)
        out = capsys.readouterr().out
        # No count is known yet: one unit per endpoint. The next run splits each endpoint into batches.
        assert (first["units"], first["endpoints"]) == (6, 6)
        second = run_once(aws_queue)
        second_out = capsys.readouterr().out

    for run, stdout in ((first, out), (second, second_out)):
        progress = RunLedger(STATE_TABLE).progress(run["runId"])
        assert progress is not None
        units, done, totals = progress
        assert units == done == run["units"] + 1  # the dispatcher's own unit (refused entries) included
        assert (totals.replications, totals.replications_checked) == (72, 72)
        assert (totals.endpoints, totals.items, totals.not_ok, totals.skipped) == (6, 78, 0, 0)
        printed = lines(stdout)
        checked = [p["ReplicationId"] for p in printed if p.get("MonitorItem") == "replication"]
        assert sorted(checked) == sorted(i for ids in fleet.replications.values() for i in ids)
        runs = [d for d in emf_documents(stdout) if dimensions(d) == []]
        assert len(runs) == 1
        assert emf_value(runs[0], "MonitorRuns") == 1
        assert emf_value(runs[0], "MonitorCoverage") == 100
        assert emf_value(runs[0], "MonitoredItems") == 78
        coverage = [
            r.getMessage()
            for r in caplog.records
            if r.getMessage().startswith("monitor coverage") and getattr(r, "run_id", "") == run["runId"]
        ]
        assert len(coverage) == 1
        assert "100.0%: 72 of 72 replication(s)" in coverage[0]
    assert second["units"] == 6 * 3  # 12 replications in batches of 5: 5, 5 and the open-ended rest
    # Per-replication detail is a log line, not a metric, unless the operator opts in.
    assert not [d for d in emf_documents(second_out) if "ReplicationId" in d]


def test_rotation_reaches_the_tail_when_a_worker_runs_out_of_time(aws_queue, monkeypatch, capsys):
    """One endpoint, one replication at a time, 50 ms an answer and a worker with well under a second:
    each run checks some of the 30 replications (1.5 s of answers) and skips the rest, and the next run
    starts where it stopped."""
    monkeypatch.setenv("MONITOR_CONCURRENCY", "1")
    with cloudbasic_fleet(1, 30, latency=0.05) as fleet:
        register(fleet)
        ids = sorted(fleet.replications["node-0000"])
        seen: list[list[str]] = []
        for _ in range(12):
            capsys.readouterr()
            run_once(aws_queue, timeout=4.2)  # deadline_from_context keeps 3 s back: ~1.2 s of checks
            printed = lines(capsys.readouterr().out)
            seen.append(
                [
                    p["ReplicationId"]
                    for p in printed
                    if p.get("MonitorItem") == "replication" and p["Status"] != "skipped"
                ]
            )
            if set().union(*seen) == set(ids):
                break
    assert 0 < len(seen[0]) < len(ids), "the first run must run out of time for rotation to matter"
    assert seen[1][0] == ids[len(seen[0])], "the next run starts at the first replication left unchecked"
    assert set().union(*seen) == set(ids)
    assert ids[-1] in set().union(*seen)


def test_a_unit_delivered_twice_is_counted_once(aws_queue):
    ledger = RunLedger(STATE_TABLE)
    ledger.start("r1", 2, 0.0)
    one = RunTotals(items=3, replications=2, replications_checked=2, max_latency=4.0)
    assert ledger.record("r1", 0, one) is None
    assert ledger.record("r1", 0, one) is None
    completed = ledger.record("r1", 1, RunTotals(items=1, max_latency=9.0))
    assert completed is not None
    assert (completed.totals.items, completed.totals.replications, completed.totals.max_latency) == (
        4,
        2,
        9.0,
    )
    assert ledger.record("r1", 1, RunTotals(items=1)) is None
    assert ledger.record("unknown-run", 0, one) is None


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps(
            {
                "RunId": "r",
                "Unit": 0,
                "Vendor": "cloudbasic",
                "Endpoint": "../metadata",
                "Batch": 0,
                "Offset": 0,
            }
        ),
        json.dumps(
            {"RunId": "r", "Unit": -1, "Vendor": "cloudbasic", "Endpoint": "a", "Batch": 0, "Offset": 0}
        ),
        json.dumps({"RunId": "r", "Unit": 0, "Vendor": "other", "Endpoint": "a", "Batch": 0, "Offset": 0}),
        json.dumps(
            {"RunId": "r", "Unit": 0, "Vendor": "capella", "Endpoint": "a", "Url": "http://169.254.169.254"}
        ),
    ],
)
def test_a_message_that_is_not_a_unit_fails_its_record_and_calls_nothing(aws_queue, body, cloudbasic_sim):
    answer = lambda_worker.handle({"Records": [{"messageId": "m-1", "body": body}]}, None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert cloudbasic_sim.calls == []


def test_refused_entries_are_reported_by_the_dispatcher_and_an_empty_fleet_still_completes(aws_queue, capsys):
    register_endpoint("cloudbasic", "inward", "http://127.0.0.2:82", AllowPlaintextHttp=True)
    capsys.readouterr()
    dispatched = run_once(aws_queue)
    out = capsys.readouterr().out
    assert (dispatched["units"], dispatched["refused"], dispatched["completed"]) == (0, 1, True)
    [run] = [d for d in emf_documents(out) if dimensions(d) == []]
    assert emf_value(run, "UnhealthyItems") == 1
    [endpoint] = [d for d in emf_documents(out) if dimensions(d) == ["Endpoint"]]
    assert (endpoint["Endpoint"], emf_value(endpoint, "EndpointReachable")) == ("inward", 0)
    assert "loopback" in endpoint["Reason"]


def test_the_cursor_keeps_the_endpoint_count_for_the_next_plan(aws_queue):
    with cloudbasic_fleet(1, 7) as fleet:
        register(fleet)
        run_once(aws_queue)
    stored = RunLedger(STATE_TABLE).cursors([cursor_key("cloudbasic", "node-0000", 0)])
    assert [(c.cursor, c.total) for c in stored.values()] == [(0, 7)]
