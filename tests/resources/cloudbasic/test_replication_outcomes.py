"""Custom::CloudBasicReplication when CreateReplication's outcome is unknown or a replacement fails late.

A create whose answer is lost is looked up at the next polls (the appliance may make the job after the
call timed out) and adopted, or reported as not carried out; a replacing Update that fails after its
new job exists has that job removed by the runtime. Real handler, simulator over HTTP, moto.
"""

from __future__ import annotations

import copy
from typing import Any

from cbprovider.resources.cloudbasic import sql_connection as sql
from cbprovider.runtime import Provider, Timing, is_placeholder

from simulators.stack import LocalStack
from tests.resources.cloudbasic.test_replication import (
    TYPE,
    action_calls,
    assert_no_secret_sent,
    no_leftovers,
    props,
)
from tests.resources.conftest import CloudBasicEnv

SHORT = 10.0
"""Lambda seconds: with the runtime's reserves (5 s backstop, 3 s work margin) calls end after 2 s."""
LATE = 2.5
"""CreateReplication's delay: the call gives up at the work deadline, the job appears half a second later."""


def _replacing(cb: CloudBasicEnv, old: dict[str, Any], change: str = "database") -> dict[str, Any]:
    new = copy.deepcopy(old)
    if change == "database":
        new["Destination"]["Database"] = "SalesCopy"
    else:
        new["ReplicationMethod"] = "ContinuousWithSemiAutoSeeding"
    return new


def _matching_job(cb: CloudBasicEnv, database: str = "SalesReplica") -> str:
    """A job from the test's source to its destination made directly on the appliance."""
    with cb.sim.state.lock:
        job = cb.sim.state.add_replication(
            kind="SqlToSql",
            name="elsewhere",
            method="ContinuousWithAutoSeeding",
            source=sql.build(
                [("Data Source", "sales-db.example.internal,1433"), ("Initial Catalog", "Sales")]
            ),
            destination=sql.build(
                [("Data Source", "replica-db.example.internal,1433"), ("Initial Catalog", database)]
            ),
            seeded=True,
        )
    return job.replication_id


# -- a create whose outcome is unknown ------------------------------------------------------------
def test_a_create_the_appliance_carries_out_after_the_work_deadline_is_adopted(cb: CloudBasicEnv) -> None:
    cb.sim.faults.add("CreateReplication", delay=LATE)
    created = cb.stack.send("Create", TYPE, "Replica", props(cb), context_seconds=SHORT)
    assert created.status == "SUCCESS", created.reason
    assert created.invocations > 1, "the job is found at a poll, not in the timed-out invocation"
    assert set(cb.sim.replications) == {created.physical_id}
    assert created.data["ReplicationId"] == created.physical_id
    assert created.data["DestinationDatabase"] == "SalesReplica"
    assert action_calls(cb, "CreateReplication") == 1
    assert no_leftovers()
    assert_no_secret_sent(cb)


def test_an_adopted_job_is_followed_until_seeded_and_its_switches_applied(cb: CloudBasicEnv) -> None:
    cb.sim.faults.add("CreateReplication", delay=LATE)
    given = props(cb, WaitFor="Seeded", DataReplication="false")
    created = cb.stack.send("Create", TYPE, "Replica", given, context_seconds=SHORT)
    assert created.status == "SUCCESS", created.reason
    assert created.data["Status"] == "Success"
    job = cb.sim.replications[created.physical_id]
    assert job.seeded(cb.sim.state.clock.now())
    assert not job.data_replication
    assert no_leftovers()


def test_a_lost_create_that_never_took_effect_fails_with_a_placeholder(cb: CloudBasicEnv) -> None:
    cb.sim.faults.add("CreateReplication", drop=True)
    given = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", given)
    assert created.status == "FAILED"
    assert is_placeholder(created.physical_id)
    assert created.reason.startswith("[CreateNotCarriedOut] CreateReplication got no answer")
    assert "the create did not take effect; check GetReplicationsList" in created.reason
    assert "sales-db.example.internal,1433/sales to replica-db.example.internal,1433/salesreplica" in (
        created.reason
    )
    assert action_calls(cb, "GetReplicationsList") >= 4, "the list before, then three look-ups"
    assert cb.sim.replications == {}
    assert no_leftovers()
    calls = len(cb.sim.calls)
    rollback = cb.stack.send("Delete", TYPE, "Replica", given, physical_id=created.physical_id)
    assert rollback.status == "SUCCESS", rollback.reason
    assert len(cb.sim.calls) == calls, "the rollback Delete of the placeholder touches nothing"


def test_a_500_on_create_is_not_repeated_and_is_looked_up(cb: CloudBasicEnv) -> None:
    cb.sim.faults.fail_times("CreateReplication", 1, status=500)
    created = cb.stack.send("Create", TYPE, "Replica", props(cb))
    assert created.status == "FAILED"
    assert is_placeholder(created.physical_id)
    assert created.reason.startswith("[CreateNotCarriedOut] CreateReplication answered HTTP 500")
    assert action_calls(cb, "CreateReplication") == 1
    assert cb.sim.replications == {}
    assert no_leftovers()


def test_a_503_on_create_is_a_clear_refusal(cb: CloudBasicEnv) -> None:
    cb.sim.faults.add("CreateReplication", status=503, times=None)
    created = cb.stack.send("Create", TYPE, "Replica", props(cb), context_seconds=SHORT)
    assert created.status == "FAILED"
    assert is_placeholder(created.physical_id)
    assert created.reason.startswith("[ApiError 503]")
    assert created.invocations == 1, "nothing to look for: the appliance did not act"
    assert no_leftovers()


def test_an_older_job_between_the_same_databases_is_not_adopted(cb: CloudBasicEnv) -> None:
    older = _matching_job(cb)
    cb.sim.faults.add("CreateReplication", malformed=True)
    created = cb.stack.send("Create", TYPE, "Replica", props(cb))
    assert created.status == "SUCCESS", created.reason
    assert created.physical_id != older
    assert set(cb.sim.replications) == {older, created.physical_id}
    assert cb.sim.replications[created.physical_id].name == "sales-dr"


def test_two_new_jobs_between_the_same_databases_are_not_adopted(cb: CloudBasicEnv) -> None:
    surplus: list[str] = []

    def another_job(kind: str, event: Any) -> None:
        # Before the first poll's look-up, someone else makes a job between the same databases.
        if kind == "poll" and not surplus:
            surplus.append(_matching_job(cb))

    cb.stack.on_invoke = another_job
    cb.sim.faults.add("CreateReplication", malformed=True)
    cb.sim.faults.add("GetReplicationsList")  # the list before the create answers as usual
    cb.sim.faults.add("GetReplicationsList", malformed=True)  # the look-up right after it does not
    created = cb.stack.send("Create", TYPE, "Replica", props(cb))
    assert created.status == "FAILED"
    assert is_placeholder(created.physical_id)
    assert created.reason.startswith(
        "[CreateOutcomeUnknown] CreateReplication answered with an unreadable body"
    )
    assert len(cb.sim.replications) == 2
    assert all(job in created.reason for job in cb.sim.replications)
    assert no_leftovers()


def test_unreadable_look_ups_are_retried_and_do_not_count(cb: CloudBasicEnv) -> None:
    polls: list[int] = []

    def unreadable_list(kind: str, event: Any) -> None:
        if kind == "poll":
            polls.append(1)
            if len(polls) <= 5:
                cb.sim.faults.add("GetReplicationsList", malformed=True)

    cb.stack.on_invoke = unreadable_list
    cb.sim.faults.add("CreateReplication", drop=True)
    created = cb.stack.send("Create", TYPE, "Replica", props(cb))
    assert created.status == "FAILED"
    assert created.reason.startswith("[CreateNotCarriedOut]")
    assert "in 3 look-ups" in created.reason
    assert created.invocations == 1 + 5 + 3, "five unreadable look-ups, then three that found nothing"
    assert no_leftovers()


# -- a replacing Update ---------------------------------------------------------------------------
def test_a_late_replacement_is_adopted_and_the_old_job_left_for_delete(cb: CloudBasicEnv) -> None:
    old = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", old)
    new = _replacing(cb, old, change="method")
    cb.sim.faults.add("CreateReplication", delay=LATE)
    updated = cb.stack.send(
        "Update",
        TYPE,
        "Replica",
        new,
        physical_id=created.physical_id,
        old_properties=old,
        context_seconds=SHORT,
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id not in (created.physical_id, "")
    assert set(cb.sim.replications) == {created.physical_id, updated.physical_id}
    assert cb.sim.replications[updated.physical_id].method == "ContinuousWithSemiAutoSeeding"
    assert no_leftovers()


def test_a_lost_replacement_fails_under_the_old_id_and_touches_the_old_job_not(cb: CloudBasicEnv) -> None:
    old = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", old)
    cb.sim.faults.add("CreateReplication", drop=True)
    new = _replacing(cb, old)
    updated = cb.stack.send(
        "Update", TYPE, "Replica", new, physical_id=created.physical_id, old_properties=old
    )
    assert (updated.status, updated.physical_id) == ("FAILED", created.physical_id)
    assert updated.reason.startswith("[CreateNotCarriedOut]")
    assert "removed" not in updated.reason
    assert action_calls(cb, "DeleteReplication") == 0
    assert set(cb.sim.replications) == {created.physical_id}
    assert no_leftovers()


def test_a_replacement_whose_seeding_fails_is_removed_by_the_runtime(cb: CloudBasicEnv) -> None:
    old = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", old)
    new_jobs: set[str] = set()

    def fail_new_seeding(kind: str, event: Any) -> None:
        if kind == "poll":
            for replication_id in set(cb.sim.replications) - {created.physical_id}:
                new_jobs.add(replication_id)
                cb.sim.set_replication_outcome(replication_id, "Failed")

    cb.stack.on_invoke = fail_new_seeding
    new = {**_replacing(cb, old), "WaitFor": "Seeded"}
    updated = cb.stack.send(
        "Update", TYPE, "Replica", new, physical_id=created.physical_id, old_properties=old
    )
    assert (updated.status, updated.physical_id) == ("FAILED", created.physical_id)
    (new_job,) = new_jobs
    assert updated.reason.startswith(f"[SeedingFailed] seeding of replication {new_job} failed")
    assert updated.reason.endswith(f"; removed the new {new_job}")
    assert action_calls(cb, "DeleteReplication") == 1
    assert set(cb.sim.replications) == {created.physical_id}
    assert no_leftovers()


def test_a_replacement_still_seeding_at_the_service_timeout_is_removed(cb: CloudBasicEnv) -> None:
    handler = Provider(
        {TYPE: "cbprovider.resources.cloudbasic.replication:Replication"},
        timing=Timing(response_base_delay=0.01, service_margin=0.0),
    )
    stack = LocalStack(handler, cb.receiver)
    old = props(cb)
    created = stack.send("Create", TYPE, "Replica", old)
    cb.sim.state.seeding_seconds = 60.0
    new = {**_replacing(cb, old), "WaitFor": "Seeded", "ServiceTimeout": "1"}
    updated = stack.send(
        "Update", TYPE, "Replica", new, physical_id=created.physical_id, old_properties=old, poll_interval=0.2
    )
    assert (updated.status, updated.physical_id) == ("FAILED", created.physical_id)
    assert updated.reason.startswith("[ServiceTimeout] Custom::CloudBasicReplication create of ")
    assert "; removed the new " in updated.reason
    assert set(cb.sim.replications) == {created.physical_id}
    assert no_leftovers()
