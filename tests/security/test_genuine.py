"""Attacks by anyone allowed to invoke the shared provider function: events that CloudFormation did not
send. Each goes through the real CloudBasic provider handler over real sockets; none may reach the
appliance, none may be answered at the attacker's URL, and each refusal is logged as a warning.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from simulators.stack import ACCOUNT, FUNCTION_ARN, REGION
from tests.security.conftest import REPLICATION, Victim

FIXED_ID = "5b0c7a3e-1f2d-4c8b-9e6a-0d4f3b2a1c99"  # parameter ids must be the same in every xdist worker


def forged(victim: Victim, request_type: str, physical_id: str, **overrides: Any) -> dict[str, Any]:
    """A request as an attacker writes it: the victim's StackId and logical id, the attacker's URL."""
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": FUNCTION_ARN,
        "ResponseURL": victim.outsider_url(),
        "StackId": victim.stack.stack_id,
        "RequestId": str(uuid.uuid4()),
        "LogicalResourceId": "Replica",
        "ResourceType": REPLICATION,
        "PhysicalResourceId": physical_id,
        "ResourceProperties": {"ServiceToken": FUNCTION_ARN, **victim.props()},
    }
    event.update(overrides)
    return event


def created(victim: Victim) -> str:
    outcome = victim.stack.send("Create", REPLICATION, "Replica", victim.props())
    assert outcome.status == "SUCCESS", outcome.reason
    return outcome.physical_id


def assert_refused(victim: Victim, calls_before: int, physical_id: str) -> None:
    assert victim.api_calls()[calls_before:] == [], "no call may reach the appliance"
    assert physical_id in victim.sim.replications, "the victim's replication is untouched"
    assert victim.nothing_reached_outsiders(), "nothing may be sent to the attacker's URL"
    assert victim.refusal_logged(), "the refusal is logged as a warning"


def test_a_forged_delete_with_a_made_up_response_url_touches_nothing(victim: Victim) -> None:
    replication = created(victim)
    before = len(victim.api_calls())
    victim.send_forged(forged(victim, "Delete", replication))
    assert_refused(victim, before, replication)


def test_a_forged_delete_to_an_admitted_host_is_refused_by_cloudformation(victim: Victim) -> None:
    replication = created(victim)
    before = len(victim.api_calls())
    victim.send_forged(forged(victim, "Delete", replication, ResponseURL=victim.outsider_url(local=True)))
    assert_refused(victim, before, replication)
    assert "not being" in victim.log.getvalue() or "no DELETE_IN_PROGRESS" in victim.log.getvalue()


@pytest.mark.parametrize(
    "stack_id",
    [
        f"arn:aws:cloudformation:{REGION}:210987654321:stack/victim/{FIXED_ID}",
        f"arn:aws:cloudformation:eu-west-1:{ACCOUNT}:stack/victim/{uuid.uuid4()}",
        f"arn:aws-cn:cloudformation:{REGION}:{ACCOUNT}:stack/victim/{uuid.uuid4()}",
        f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/victim/{uuid.uuid4()}/extra",
        "victim",
    ],
    ids=["other-account", "other-region", "other-partition", "trailing-junk", "not-an-arn"],
)
def test_a_stack_id_of_another_account_or_region_is_refused(victim: Victim, stack_id: str) -> None:
    replication = created(victim)
    # Even with CloudFormation showing that stack deleting the resource, it is not this provider's.
    victim.cfn.set_stack(stack_id, "DELETE_IN_PROGRESS")
    victim.cfn.set_resource(stack_id, "Replica", "DELETE_IN_PROGRESS", physical_id=replication)
    before = len(victim.api_calls())
    event = forged(
        victim, "Delete", replication, StackId=stack_id, ResponseURL=victim.outsider_url(local=True)
    )
    victim.send_forged(event)
    assert_refused(victim, before, replication)


@pytest.mark.parametrize(
    "url",
    [
        "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com.evil.example/r",
        "https://x@cloudformation-custom-resource-response-useast1.s3.amazonaws.com/r",
        "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com:8443/r",
        "https://cloudformation-custom-resource-response-useast1.S3.amazonaws.com/r",
        "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com./r",
        "https://cloudformation-custom-resource-response-uswest2.s3.us-west-2.amazonaws.com/r",
        "http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/r",
        "https://52.216.0.1/r",
        "http://127.0.0.2:9/r",
    ],
)
def test_a_look_alike_response_host_is_refused(victim: Victim, url: str) -> None:
    replication = created(victim)
    victim.stack.play.before(forged(victim, "Delete", replication))  # even while it is being deleted
    before = len(victim.api_calls())
    victim.send_forged(forged(victim, "Delete", replication, ResponseURL=url))
    assert_refused(victim, before, replication)


def test_a_delete_of_an_id_that_is_not_being_deleted_is_refused(victim: Victim) -> None:
    replication = created(victim)
    other = victim.stack.send("Create", REPLICATION, "Other", victim.props("other-db.example.internal"))
    assert other.status == "SUCCESS", other.reason
    # CloudFormation deletes the victim's Replica; the attacker names the Other replication's id.
    victim.stack.play.before(forged(victim, "Delete", replication))
    before = len(victim.api_calls())
    victim.send_forged(
        forged(victim, "Delete", other.physical_id, ResponseURL=victim.outsider_url(local=True))
    )
    assert_refused(victim, before, other.physical_id)


def test_the_cleanup_delete_of_a_replaced_object_is_confirmed_by_its_event(victim: Victim) -> None:
    old_props = victim.props()
    first = victim.stack.send("Create", REPLICATION, "Replica", old_props)
    new_props = victim.props("new-db.example.internal")
    replaced = victim.stack.send(
        "Update", REPLICATION, "Replica", new_props, physical_id=first.physical_id, old_properties=old_props
    )
    assert replaced.status == "SUCCESS"
    assert replaced.physical_id != first.physical_id
    cleanup = victim.stack.send("Delete", REPLICATION, "Replica", old_props, physical_id=first.physical_id)
    assert cleanup.status == "SUCCESS", cleanup.reason
    stack = victim.cfn.stack(victim.stack.stack_id)
    assert stack is not None
    assert stack.status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
    assert first.physical_id not in victim.sim.replications
    assert replaced.physical_id in victim.sim.replications


def test_the_rollback_cleanup_delete_of_the_new_object_is_confirmed(victim: Victim) -> None:
    old_props = victim.props()
    first = victim.stack.send("Create", REPLICATION, "Replica", old_props)
    new_props = victim.props("new-db.example.internal")
    replaced = victim.stack.send(
        "Update", REPLICATION, "Replica", new_props, physical_id=first.physical_id, old_properties=old_props
    )
    # Another resource failed: CloudFormation puts the logical id back on the old id, deletes the new one.
    victim.cfn.set_resource(
        victim.stack.stack_id, "Replica", "UPDATE_COMPLETE", physical_id=first.physical_id
    )
    with victim.stack.play.rolling_back():
        cleanup = victim.stack.send(
            "Delete", REPLICATION, "Replica", new_props, physical_id=replaced.physical_id
        )
    assert cleanup.status == "SUCCESS", cleanup.reason
    stack = victim.cfn.stack(victim.stack.stack_id)
    assert stack is not None
    assert stack.status == "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
    assert replaced.physical_id not in victim.sim.replications
    assert first.physical_id in victim.sim.replications


def test_a_forged_delete_during_a_cleanup_window_for_another_id_is_refused(victim: Victim) -> None:
    old_props = victim.props()
    first = victim.stack.send("Create", REPLICATION, "Replica", old_props)
    new_props = victim.props("new-db.example.internal")
    replaced = victim.stack.send(
        "Update", REPLICATION, "Replica", new_props, physical_id=first.physical_id, old_properties=old_props
    )
    # CloudFormation is in the clean-up of the old id (the stack is UPDATE_COMPLETE_CLEANUP_IN_PROGRESS)...
    victim.stack.play.before(
        victim.stack.event("Delete", REPLICATION, "Replica", old_props, physical_id=first.physical_id)
    )
    before = len(victim.api_calls())
    # ...and the attacker asks for the Delete of the new, current id.
    event = forged(victim, "Delete", replaced.physical_id, ResponseURL=victim.outsider_url(local=True))
    victim.send_forged(event)
    assert_refused(victim, before, replaced.physical_id)


@pytest.mark.parametrize(
    "event",
    [
        {"CfnProviderPoll": "poll#not-hex"},
        {"CfnProviderPoll": "poll#" + "a" * 40, "RequestType": "Delete", "PhysicalResourceId": "x"},
        {"CfnProviderPoll": ["poll#" + "a" * 40]},
        {"CfnProviderPoll": "poll#" + "A" * 40},
    ],
    ids=["not-hex", "extra-fields", "not-a-string", "upper-case"],
)
def test_a_malformed_poll_event_is_refused(victim: Victim, event: dict[str, Any]) -> None:
    before = len(victim.api_calls())
    victim.send_forged({**event, "ResponseURL": victim.outsider_url()} if "RequestType" in event else event)
    assert victim.api_calls()[before:] == []
    assert victim.nothing_reached_outsiders()
    assert victim.refusal_logged()
