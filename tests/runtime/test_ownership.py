"""Attacks on objects of another stack: every object is recorded with the stack resource that owns it.

A stack that names another stack's object in an Update or Delete, or an API that answers a create with
an object id that another stack already owns (a planted id), must not make the provider touch it.
"""

from __future__ import annotations

from typing import Any

from cbprovider.resources.pending_create import PendingCreate, verify_named

from tests.runtime.conftest import STACK_ID, Events, only_response
from tests.runtime.widgets import WidgetSimulator

OTHER_STACK = STACK_ID.replace("test-stack", "other-team")


def _create(provider: Any, events: Events, receiver: Any, **kwargs: Any) -> dict[str, Any]:
    event = events.make("Create", **kwargs)
    provider(event, _context())
    return only_response(receiver, event)


def _context() -> Any:
    from simulators.stack import LambdaContext

    return LambdaContext(seconds=60)


def test_another_stack_cannot_update_or_delete_an_object(
    provider: Any, events: Events, cfn_receiver: Any, widgets: WidgetSimulator
) -> None:
    created = _create(provider, events, cfn_receiver)
    assert created["Status"] == "SUCCESS", created
    victim = created["PhysicalResourceId"]
    before = list(widgets.arrived)

    update = events.make(
        "Update", {"Size": "9"}, physical_id=victim, old={"Size": "1"}, stack_id=OTHER_STACK, owned=False
    )
    provider(update, _context())
    answer = only_response(cfn_receiver, update)
    assert answer["Status"] == "FAILED"
    assert answer["Reason"].startswith("[NotOwned]")

    delete = events.make("Delete", physical_id=victim, stack_id=OTHER_STACK, owned=False)
    provider(delete, _context())
    answer = only_response(cfn_receiver, delete)
    assert answer["Status"] == "SUCCESS"
    assert "not this stack resource's" in answer["Reason"]

    assert widgets.arrived == before, "the other stack's requests reached the API"
    assert victim in widgets.widgets


def test_another_logical_resource_of_the_same_stack_cannot_delete_it(
    provider: Any, events: Events, cfn_receiver: Any, widgets: WidgetSimulator
) -> None:
    victim = _create(provider, events, cfn_receiver)["PhysicalResourceId"]
    delete = events.make("Delete", physical_id=victim, logical_id="Impostor", owned=False)
    provider(delete, _context())
    assert only_response(cfn_receiver, delete)["Status"] == "SUCCESS"
    assert victim in widgets.widgets
    assert f"DELETE /widgets/{victim}" not in widgets.arrived


def test_a_planted_id_is_refused_and_never_acted_on(
    provider: Any, events: Events, cfn_receiver: Any, widgets: WidgetSimulator
) -> None:
    """The API answers another stack's create with an id this stack already owns."""
    victim = _create(provider, events, cfn_receiver)["PhysicalResourceId"]
    widgets._next = 0  # the next create answers with the victim's id again

    planted = _create(provider, events, cfn_receiver, stack_id=OTHER_STACK, logical_id="Attacker")
    assert planted["Status"] == "FAILED"
    assert planted["Reason"].startswith("[NotOwned]")
    assert planted["PhysicalResourceId"] != victim, "the planted id was reported to the other stack"

    # The owner still acts on its object; the attacker's follow-ups touch nothing.
    delete = events.make(
        "Delete", physical_id=victim, stack_id=OTHER_STACK, logical_id="Attacker", owned=False
    )
    provider(delete, _context())
    assert only_response(cfn_receiver, delete)["Status"] == "SUCCESS"
    assert victim in widgets.widgets
    own = events.make("Delete", physical_id=victim, owned=False)
    provider(own, _context())
    assert only_response(cfn_receiver, own)["Status"] == "SUCCESS"
    assert victim not in widgets.widgets


def test_an_unknown_outcome_look_up_never_adopts_a_foreign_object() -> None:
    pending = PendingCreate(name="shared-name", since=0.0, settle_at=0.0, cause="timed out")
    found = verify_named(
        pending,
        lambda _: "5d1f0f7e-0000-4000-8000-000000000001",
        what="project",
        physical_id="failed-create-Project-00000000",
        foreign=lambda object_id: True,
    )
    assert not isinstance(found, str), "an object owned by another stack was adopted"
    mine = verify_named(
        pending,
        lambda _: "5d1f0f7e-0000-4000-8000-000000000001",
        what="project",
        physical_id="failed-create-Project-00000000",
        foreign=lambda object_id: False,
    )
    assert mine == "5d1f0f7e-0000-4000-8000-000000000001"
