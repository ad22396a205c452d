"""Hostile property values through the real handlers, for every resource type.

Each example replaces (or adds) one property of a valid Create with a hostile value: a wrong type, a
huge or empty string, unicode, XML entities, an injection-looking connection string, a CloudFormation
dynamic reference, a bogus or mis-cased property name. Whatever it is, the request gets exactly one
response, within the Lambda's time, with a non-empty PhysicalResourceId and a body under 4096 bytes;
FAILED carries a reason that names the property, SUCCESS is for a value that is legitimately
acceptable. Then CloudFormation's Delete of the id it got (the object, or a failed Create's placeholder,
with the same hostile properties) must succeed and leave nothing behind, so the next example starts
clean.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.stack import LocalStack
from tests.evidence.hostile import hostile_values
from tests.evidence.subjects import SUBJECTS, Subject
from tests.evidence.world import World, world

CONTEXT_SECONDS = 12.0
BOGUS_NAMES = ("Bogus", "Passw0rd", "ServiceTimeout", "ServiceToken")
EXAMPLES = settings(max_examples=settings.default.max_examples if settings.default else 25)


def property_names(w: World, subject: Subject) -> list[str]:
    """The type's own property names (PascalCase), one mis-cased, and names it does not have."""
    from cbprovider.runtime import Provider

    assert isinstance(w.stack.handler, Provider)
    from cbprovider.resources.capella.versions import VersionedType
    from cbprovider.runtime.properties import property_names as property_names_of

    resource = w.stack.handler.resource(subject.type_name)
    if isinstance(resource, VersionedType):  # served per API version: the properties of the world's one
        resource = resource.implementation("v4" if subject.family == "capella-v4" else "v3")
    model = resource.properties_model
    names = sorted(property_names_of(model))
    return [*names, names[0][0].lower() + names[0][1:], *BOGUS_NAMES]


def names_the_property(name: str, reason: str) -> bool:
    """The reason names the property, in any case (the APIs' own refusals say ``username``, ``email``); a
    region-shaped signing region is judged by the appliance, whose refusal names it in its own words
    ("credential scope region '...' is not accepted")."""
    if name.lower() in reason.lower():
        return True
    return name == "SigningRegion" and reason.startswith("[ApiError 400]") and "region" in reason


def start_afresh(w: World, subject: Subject) -> None:
    """Undo what an earlier (failed) example may have left, so that each example stands alone: an
    activation without a licence leaves the appliance activated, an HA cluster or a Capella cluster
    would make the next Create meet "already part of a cluster" or "name taken", and a Delete that
    failed for a reason naming the property leaves the keys secret."""
    for arn in w.owned_secrets():
        w.sm.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    if subject.row == "Activation":
        with w.cloudbasic.state.lock:
            w.cloudbasic.state.activated = False
    elif subject.row == "HACluster":
        with w.cloudbasic.state.lock:
            w.cloudbasic.state.cluster = None
    elif subject.row == "CapellaCluster":
        state = w.capella.state
        with state.lock:
            for cluster_id in [c for c in state.clusters if c.lower() not in w.baseline]:
                del state.clusters[cluster_id]
    elif subject.family == "capella-v4":
        store = w.capella.v4.store
        with store.lock:
            for table in (store.projects, store.clusters):
                for key in [k for k in table if k.lower() not in w.baseline]:
                    del table[key]
            for per_cluster in (store.buckets, store.cidrs, store.credentials):
                for items in per_cluster.values():
                    items.clear()


def fresh(subject: Subject, props: dict[str, Any]) -> dict[str, Any]:
    """CloudBasic users cannot be deleted: each example's user gets its own UserName and Email."""
    if subject.row != "User":
        return dict(props)
    tag = uuid.uuid4().hex[:10]
    return {**props, "UserName": f"u{tag}", "Email": f"u{tag}@example.com"}


def one_clear_answer(w: World, subject: Subject, name: str, value: Any, props: dict[str, Any]) -> None:
    started = time.monotonic()
    outcome = w.stack.send("Create", subject.type_name, "Abused", props, context_seconds=CONTEXT_SECONDS)
    assert time.monotonic() - started < CONTEXT_SECONDS
    assert len(outcome.responses) == 1, f"{len(outcome.responses)} responses"
    assert outcome.responses[0].size < 4096
    assert outcome.physical_id.strip()
    if outcome.status == "FAILED":
        assert names_the_property(name, outcome.reason), f"{name} not named: {outcome.reason[:300]}"
    else:
        assert outcome.status == "SUCCESS", outcome.status
    # CloudFormation deletes what it got: the object, or the placeholder of a failed Create (a rollback).
    deleted = w.stack.send("Delete", subject.type_name, "Abused", props, physical_id=outcome.physical_id)
    # A value only a later call checks (an activation's SigningRegion: ActivateInstance is unsigned,
    # DeactivateInstance is not) may make the Delete fail: then it must say why.
    assert deleted.status == "SUCCESS" or names_the_property(name, deleted.reason), deleted.reason
    if deleted.status != "SUCCESS":
        return
    assert not subject.objects(w), f"left behind: {sorted(subject.objects(w))}"
    assert LocalStack.leftovers() == {"rules": [], "poll_state": []}


@pytest.mark.parametrize("subject", SUBJECTS, ids=[s.row for s in SUBJECTS])
def test_hostile_property_values_get_one_clear_answer(
    subject: Subject, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world(subject.family, monkeypatch, activated=subject.activated) as w:
        base = subject.make_props(w)
        names = property_names(w, subject)

        @EXAMPLES
        @given(name=st.sampled_from(names), value=hostile_values)
        def one_property(name: str, value: Any) -> None:
            start_afresh(w, subject)
            one_clear_answer(w, subject, name, value, {**fresh(subject, base), name: value})

        one_property()


@pytest.mark.parametrize("region", ["\U0001f4a5", "us east/1"], ids=["non-ascii", "slash-and-space"])
def test_a_malformed_signing_region_is_refused_naming_the_property(
    region: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = next(s for s in SUBJECTS if s.row == "User")
    with world(subject.family, monkeypatch) as w:
        props = {**subject.make_props(w), "SigningRegion": region}
        outcome = w.stack.send("Create", subject.type_name, "Abused", props)
    assert outcome.status == "FAILED"
    assert "SigningRegion" in outcome.reason, outcome.reason


@pytest.mark.parametrize("server", ["LocalServer", "RemoteServer"])
def test_an_oversized_server_name_is_refused_naming_the_property(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = next(s for s in SUBJECTS if s.row == "HACluster")
    with world(subject.family, monkeypatch) as w:
        props = {**subject.make_props(w), server: "a" * 100_000}
        outcome = w.stack.send("Create", subject.type_name, "Abused", props)
        deleted = w.stack.send("Delete", subject.type_name, "Abused", props, physical_id=outcome.physical_id)
    assert outcome.responses[0].size < 4096
    assert deleted.responses[0].size < 4096
    assert outcome.status == "FAILED"
    assert server in outcome.reason
