"""A repeated promotion start is judged by PromoteDbReplicaToPrimaryStatus, not by the wording of its 400.

The appliance's text for "a promotion is already running" is not documented. Whatever the 400 says, the
promotion is followed when the status call reports one running, and the 400 is reported otherwise.
"""

from __future__ import annotations

import json

import pytest
from cbprovider.automation.lambda_promote import handle
from cbprovider.errors import ApiError

from tests.automation.conftest import FakeContext
from tests.automation.test_promotion import env  # noqa: F401 - the fixture, shared

OTHER_TEXT = json.dumps({"errors": ["The operation cannot be performed at this time."], "requestId": 4})


def _refuse_next_start(sim) -> None:
    sim.faults.add(
        "PromoteDbReplicaToPrimary", status=400, body=OTHER_TEXT, headers={"Content-Type": "application/json"}
    )


def test_a_running_promotion_is_followed_whatever_the_400_says(env, cloudbasic_sim):  # noqa: F811
    [replication_id] = cloudbasic_sim.add_replications(1)
    first = handle({"ReplicationId": replication_id, "PollIntervalSeconds": 0.1}, FakeContext(3.2))
    assert first["status"] == "Running"
    _refuse_next_start(cloudbasic_sim)

    again = handle({"ReplicationId": replication_id, "PollIntervalSeconds": 0.1}, FakeContext(30))

    assert again["status"] == "Success"


def test_a_400_without_a_running_promotion_is_reported(env, cloudbasic_sim):  # noqa: F811
    [replication_id] = cloudbasic_sim.add_replications(1)
    _refuse_next_start(cloudbasic_sim)

    with pytest.raises(ApiError) as info:
        handle({"ReplicationId": replication_id, "PollIntervalSeconds": 0.1}, FakeContext(30))

    assert "cannot be performed" in str(info.value)
