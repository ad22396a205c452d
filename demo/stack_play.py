"""A template step of a demo scenario: a CloudFormation template played as a stack, then checked.

The template's resources are sent as CloudFormation would send them (``demo.template``): the stack is
created (each resource after what it refers to), updated with new parameter values (only the resources
whose properties change get an Update, in place), and deleted in reverse order. ``checks`` name what to
verify after the create and after the delete (``CHECKS``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from demo.template import ExampleStack, load_template

if TYPE_CHECKING:
    from demo.lifecycle import Scene


def play(scene: Scene, path: Path, update: Mapping[str, Any], checks: Sequence[str]) -> None:
    t, drive = scene.t, scene.drive
    t.line(f"\n  (the stack of {path.relative_to(path.parents[1])})")
    stack = ExampleStack.of(load_template(path), functions=scene.stack.functions)
    order = stack.resources()
    for logical_id in order:
        outcome = drive.request(
            "Create", stack.type_of(logical_id), logical_id, stack.properties(logical_id), context_seconds=30
        )
        stack.physical_ids[logical_id] = outcome.physical_id
        stack.attributes[logical_id] = outcome.data
    if t.failures:
        return
    outputs = stack.outputs()
    t.line("\n  stack outputs: " + ", ".join(f"{k}={v}" for k, v in outputs.items() if "Secret" not in k))
    _run_checks(checks, "created", scene, stack, outputs)

    parameters = {k: str(v) for k, v in update.items()}
    t.line(f"\n  (stack update: {', '.join(f'{k}={v}' for k, v in parameters.items())})")
    updated = stack.with_parameters(parameters)
    for logical_id in order:
        old, new = stack.properties(logical_id), updated.properties(logical_id)
        if new != old:
            outcome = drive.request(
                "Update",
                updated.type_of(logical_id),
                logical_id,
                new,
                physical_id=updated.physical_ids[logical_id],
                old_properties=old,
                context_seconds=30,
            )
            if outcome.physical_id != updated.physical_ids[logical_id]:
                t.failures.append(f"Update {logical_id}: replaced, expected in place")
            updated.attributes[logical_id] = outcome.data

    t.line("\n  (stack delete, in reverse order)")
    for logical_id in reversed(order):
        drive.request(
            "Delete",
            updated.type_of(logical_id),
            logical_id,
            updated.properties(logical_id),
            physical_id=updated.physical_ids[logical_id],
            context_seconds=30,
        )
    _run_checks(checks, "deleted", scene, updated, outputs)


Check = Callable[["Scene", ExampleStack, Mapping[str, Any]], None]


def _run_checks(
    names: Sequence[str], when: str, scene: Scene, stack: ExampleStack, outputs: Mapping[str, Any]
) -> None:
    for name in names:
        moment, check = CHECKS[name]
        if moment == when:
            check(scene, stack, outputs)


def _credential_secret(scene: Scene, stack: ExampleStack, outputs: Mapping[str, Any]) -> None:
    """What an application reads from CredentialSecretArn is the password Capella has for the credential."""
    arn = outputs["CredentialSecretArn"]
    secret = json.loads(scene.boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    credential = stack.physical_ids["AppCredential"]
    cluster = stack.physical_ids["OrdersCluster"]
    stored = scene.sim.v4.store.credentials[cluster][credential]
    if secret.get("password") != stored.password or secret.get("username") != stored.name:
        scene.t.failures.append("CredentialSecretArn does not hold the credential's password")
        return
    scene.t.line(
        f"  (CredentialSecretArn holds username {secret['username']!r} and the password Capella has)"
    )


def _organisation_empty(scene: Scene, stack: ExampleStack, outputs: Mapping[str, Any]) -> None:
    """Nothing left in the organisation, and the generated password's secret scheduled for deletion."""
    store = scene.sim.v4.store
    store.purge()
    with store.lock:
        left = {
            "projects": len(store.projects),
            "clusters": len(store.clusters),
            "buckets": sum(len(b) for b in store.buckets.values()),
            "allowed CIDRs": sum(len(c) for c in store.cidrs.values()),
            "credentials": sum(len(c) for c in store.credentials.values()),
        }
    secrets = scene.boto3.client("secretsmanager")
    described = secrets.describe_secret(SecretId=outputs["CredentialSecretArn"])
    scene.t.line(
        "\n  left in the organisation: "
        + ", ".join(f"{n} {what}" for what, n in left.items())
        + f"; the generated password's secret {'is' if described.get('DeletedDate') else 'is NOT'} deleted"
    )
    if any(left.values()) or not described.get("DeletedDate"):
        scene.t.failures.append("the stack's delete left something behind")


CHECKS: dict[str, tuple[str, Check]] = {
    "credential-secret": ("created", _credential_secret),
    "organisation-empty": ("deleted", _organisation_empty),
}
"""Check name (as a scenario writes it) -> when it runs (``created``/``deleted``) and what it verifies."""
