"""Custom::CloudBasicReplication decides by what the appliance reports, never by an error's wording.

The texts of the appliance's errors and of a failed seeding are not documented: a Delete answered with any
400 is confirmed with GetReplicationsList, and any seeding status that is neither running nor a success ends
the wait as a failure. Real handler, simulator over HTTP, moto.
"""

from __future__ import annotations

import json

import pytest

from simulators.cloudbasic.dialect import Dialect
from tests.resources.cloudbasic.test_replication import TYPE, action_calls, no_leftovers, props
from tests.resources.conftest import CloudBasicEnv

OTHER_TEXT = json.dumps({"errors": ["Object reference not set to an instance of an object."], "requestId": 9})


def _answer_400(cb: CloudBasicEnv) -> None:
    headers = {"Content-Type": "application/json"}
    cb.sim.faults.add("DeleteReplication", status=400, body=OTHER_TEXT, headers=headers)


def test_a_delete_of_a_job_already_gone_succeeds_whatever_the_400_says(cb: CloudBasicEnv) -> None:
    given = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", given)
    del cb.sim.replications[created.physical_id]
    _answer_400(cb)
    deleted = cb.stack.send("Delete", TYPE, "Replica", given, physical_id=created.physical_id)
    assert deleted.status == "SUCCESS", deleted.reason
    assert "already gone" in deleted.reason
    assert action_calls(cb, "GetReplicationsList") >= 1


def test_a_400_for_a_job_still_listed_fails_the_delete(cb: CloudBasicEnv) -> None:
    given = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", given)
    _answer_400(cb)
    deleted = cb.stack.send("Delete", TYPE, "Replica", given, physical_id=created.physical_id)
    assert deleted.status == "FAILED"
    assert "Object reference not set" in deleted.reason
    assert created.physical_id in cb.sim.replications


@pytest.mark.parametrize("spelling", ["Error", "failed"])
def test_a_seeding_failure_spelled_otherwise_fails_the_create(cb: CloudBasicEnv, spelling: str) -> None:
    cb.sim.dialect = Dialect(seeding_failure=spelling)

    def fail_seeding(kind: str, event: object) -> None:
        if kind == "poll":
            for replication_id in list(cb.sim.replications):
                cb.sim.set_replication_outcome(replication_id, "Failed")

    cb.stack.on_invoke = fail_seeding
    created = cb.stack.send("Create", TYPE, "Replica", props(cb, WaitFor="Seeded"))
    assert created.status == "FAILED"
    assert "[SeedingFailed]" in created.reason
    assert spelling in created.reason
    assert no_leftovers()
