"""The Capella API v4 part of ``cbctl demo``: the stack of ``examples/capella-v4.yaml``, played through.

The example template is read and its resources are sent as CloudFormation would send them: parameters
and ``!Ref``/``!GetAtt``/``!If`` resolved, scalars as strings, ``ServiceToken`` the provider's. The
stack is created (project, cluster, bucket, allowed CIDR, credential, each after what it refers to),
updated with new parameter values (only the resources whose properties change get an Update, as with
CloudFormation), and deleted in reverse order. Afterwards the organisation must hold nothing and the
secret the provider made for the generated password must be scheduled for deletion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from cbctl.demo import Driver, Transcript

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "capella-v4.yaml"
UPDATED = {"DataNodes": "5", "BucketMemoryInMb": "2048"}
"""The parameter changes of the demo's stack update: a scale of the cluster and a bigger bucket, in place."""
NO_VALUE = object()


class UnsupportedTemplate(ValueError):
    """The example uses a construct the demo's small template reader does not resolve."""


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsics (``!Ref X`` becomes ``{"Ref": "X"}``)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        return {name: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {name: loader.construct_sequence(node, deep=True)}
    return {name: loader.construct_mapping(node, deep=True)}  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = EXAMPLE) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    return data


@dataclass
class ExampleStack:
    """One stack of a template: its parameter values and what its resources answered."""

    template: dict[str, Any]
    parameters: dict[str, str]
    physical_ids: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, template: dict[str, Any], overrides: Mapping[str, str] | None = None) -> ExampleStack:
        values = {name: str(p.get("Default", "")) for name, p in template.get("Parameters", {}).items()}
        return cls(template, {**values, **(overrides or {})})

    def resources(self) -> list[str]:
        """Logical ids in template order; each must come after the resources it refers to."""
        order = list(self.template["Resources"])
        for position, logical_id in enumerate(order):
            later = set(order[position:]) & _references(self.template["Resources"][logical_id])
            if later:
                raise UnsupportedTemplate(f"{logical_id} refers to {sorted(later)}, listed after it")
        return order

    def type_of(self, logical_id: str) -> str:
        return str(self.template["Resources"][logical_id]["Type"])

    def properties(self, logical_id: str) -> dict[str, Any]:
        """The resource's properties as CloudFormation sends them (without ``ServiceToken``)."""
        raw = dict(self.template["Resources"][logical_id].get("Properties", {}))
        raw.pop("ServiceToken", None)
        resolved = self.resolve(raw)
        assert isinstance(resolved, dict)
        return resolved

    def outputs(self) -> dict[str, Any]:
        return {name: self.resolve(o["Value"]) for name, o in self.template.get("Outputs", {}).items()}

    def with_parameters(self, overrides: Mapping[str, str]) -> ExampleStack:
        changed = ExampleStack(self.template, {**self.parameters, **overrides})
        changed.physical_ids, changed.attributes = dict(self.physical_ids), dict(self.attributes)
        return changed

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in (self.resolve(item) for item in value) if v is not NO_VALUE]
        if not isinstance(value, dict):
            return str(value).lower() if isinstance(value, bool) else str(value)
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(str(argument))
            if key == "Fn::GetAtt":
                logical_id, _, attribute = (
                    argument.partition(".") if isinstance(argument, str) else (argument[0], ".", argument[1])
                )
                return self.attributes[logical_id][attribute]
            if key == "Fn::If":
                condition, then, otherwise = argument
                return self.resolve(then if self._condition(condition) else otherwise)
            if key.startswith("Fn::"):
                raise UnsupportedTemplate(f"{key} is not resolved by the demo")
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        return self.physical_ids[name]

    def _condition(self, name: str) -> bool:
        return bool(self._truth(self.template["Conditions"][name]))

    def _truth(self, expression: Any) -> Any:
        ((key, argument),) = expression.items()
        if key == "Fn::Not":
            return not self._truth(argument[0])
        if key == "Fn::Equals":
            return self.resolve(argument[0]) == self.resolve(argument[1])
        if key == "Condition":
            return self._condition(str(argument))
        raise UnsupportedTemplate(f"condition {key} is not resolved by the demo")


def _references(value: Any) -> set[str]:
    """The logical ids a resource refers to (``Ref``, ``GetAtt``, ``DependsOn``)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _references(item)
    elif isinstance(value, dict):
        for key, argument in value.items():
            if key in ("Ref", "DependsOn") and isinstance(argument, str):
                found.add(argument)
            elif key == "DependsOn" and isinstance(argument, list):
                found |= {str(a) for a in argument}
            elif key == "Fn::GetAtt":
                found.add(str(argument).partition(".")[0] if isinstance(argument, str) else str(argument[0]))
            else:
                found |= _references(argument)
    return found


def capella_v4_scenario(t: Transcript, boto3: Any, receiver: Any, deploy_seconds: float) -> None:
    from cbctl.demo import Driver, shared_secret
    from simulators.capella import CapellaSimulator
    from simulators.stack import LocalStack, load_handler, register_endpoint

    with CapellaSimulator(deploy_seconds=deploy_seconds, destroy_seconds=1.0, scale_seconds=1.0) as sim:
        t.section(f"Couchbase Capella API v4: examples/capella-v4.yaml (simulator at {sim.url})")
        token = shared_secret(boto3, "demo/capella-v4-token", {"ApiKeyToken": sim.v4.token})
        t.line("  (the operator registers the organisation as endpoint 'default' with ApiVersion v4)")
        register_endpoint(
            "capella",
            "default",
            sim.url,
            credentials_secret_arn=token,
            ApiVersion="v4",
            OrganizationId=sim.v4.organization_id,
        )
        handler = load_handler("capella_provider")
        drive = Driver(t, LocalStack(handler, receiver, stack_name="capella-v4-demo"), sim)
        stack = ExampleStack.of(load_template())
        order = stack.resources()
        for logical_id in order:
            _create(drive, stack, logical_id)
        if t.failures:
            return
        outputs = stack.outputs()
        t.line("\n  stack outputs: " + ", ".join(f"{k}={v}" for k, v in outputs.items() if "Secret" not in k))
        _check_application_secret(t, boto3, sim, stack, outputs["CredentialSecretArn"])

        t.line(f"\n  (stack update: {', '.join(f'{k}={v}' for k, v in UPDATED.items())})")
        updated = stack.with_parameters(UPDATED)
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
        _check_nothing_left(t, boto3, sim, outputs["CredentialSecretArn"])


def _create(drive: Driver, stack: ExampleStack, logical_id: str) -> None:
    outcome = drive.request(
        "Create", stack.type_of(logical_id), logical_id, stack.properties(logical_id), context_seconds=30
    )
    stack.physical_ids[logical_id] = outcome.physical_id
    stack.attributes[logical_id] = outcome.data


def _check_application_secret(t: Transcript, boto3: Any, sim: Any, stack: ExampleStack, arn: str) -> None:
    """What an application reads from CredentialSecretArn is the password Capella has for the credential."""
    import json

    secret = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    credential = stack.physical_ids["AppCredential"]
    cluster = stack.physical_ids["OrdersCluster"]
    stored = sim.v4.store.credentials[cluster][credential]
    if secret.get("password") != stored.password or secret.get("username") != stored.name:
        t.failures.append("CredentialSecretArn does not hold the credential's password")
        return
    t.line(f"  (CredentialSecretArn holds username {secret['username']!r} and the password Capella has)")


def _check_nothing_left(t: Transcript, boto3: Any, sim: Any, secret_arn: str) -> None:
    store = sim.v4.store
    store.purge()
    with store.lock:
        left = {
            "projects": len(store.projects),
            "clusters": len(store.clusters),
            "buckets": sum(len(b) for b in store.buckets.values()),
            "allowed CIDRs": sum(len(c) for c in store.cidrs.values()),
            "credentials": sum(len(c) for c in store.credentials.values()),
        }
    described = boto3.client("secretsmanager").describe_secret(SecretId=secret_arn)
    t.line(
        "\n  left in the organisation: "
        + ", ".join(f"{n} {what}" for what, n in left.items())
        + f"; the generated password's secret {'is' if described.get('DeletedDate') else 'is NOT'} deleted"
    )
    if any(left.values()) or not described.get("DeletedDate"):
        t.failures.append("the v4 stack's delete left something behind")
