"""Running one scenario of ``demo/scenarios/``: a simulator, its endpoints and secrets, then the steps.

A scenario file names the simulator (``cloudbasic`` or ``capella``, with its options), the provider
function and stack name, the secrets to create (shared with every stack) and the steps, in order:

- ``say: text``: a line of narration;
- ``endpoint: name`` (``credentials``, ``options``): the operator registers the simulator as an endpoint;
- ``appliance: name`` (``credentials``): a second CloudBasic appliance with the first's admin keys,
  registered as the endpoint ``name``;
- ``create: LogicalId`` (``type``, ``properties``), ``update: LogicalId`` (``changes``: properties
  replaced, the rest kept), ``delete: LogicalId`` (``replaced: true`` for the object a replacing update
  left, as CloudFormation removes it after the update; or ``type``, ``properties`` and ``physical_id`` for
  an object the scenario never made); each may set ``context_seconds`` (one invocation's time limit);
- ``template: path`` (``update``, ``checks``): a CloudFormation template played as a stack
  (``demo.stack_play``).

Values may use ``!Ref LogicalId`` (its physical id), ``!GetAtt LogicalId.Attribute`` (what its Create or
Update answered), ``!Secret name`` (the ARN of a scenario secret) and ``!Sim attribute`` (of the simulator:
``url``, ``access_key``, ``v4.token``...).
"""

from __future__ import annotations

import operator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cbprovider.endpoints import VENDORS, Vendor

from demo.template import ExampleStack, load_template
from demo.transcript import Driver, Transcript, shared_secret

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "demo" / "scenarios"


@dataclass
class Timing:
    """How long the simulators take (the command line's ``--seeding-seconds``/``--deploy-seconds``)."""

    seeding_seconds: float = 3.0
    deploy_seconds: float = 3.0


@dataclass
class Scene:
    """A running scenario: its transcript, simulator, driver, secrets and what its resources answered."""

    t: Transcript
    boto3: Any
    vendor: Vendor
    sim: Any
    drive: Driver
    stack: ExampleStack = field(default_factory=lambda: ExampleStack({"Resources": {}}, {}))
    secrets: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    replaced: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)
    """LogicalId -> the properties and physical id of the object a replacing update left."""
    appliances: ExitStack = field(default_factory=ExitStack)

    def value(self, raw: Any) -> Any:
        return self.stack.resolve(raw)


def load(name: str) -> dict[str, Any]:
    """The scenario ``demo/scenarios/<name>.yaml``."""
    return load_template(SCENARIOS / f"{name}.yaml")


def run_scenario(name: str, t: Transcript, boto3: Any, receiver: Any, timing: Timing) -> None:
    """Start the scenario's simulator and play its steps; what went wrong is in ``t.failures``."""
    from simulators.stack import LocalStack, load_handler

    scenario = load(name)
    vendor = scenario["simulator"]
    if vendor not in VENDORS:
        raise ValueError(f"unknown demo simulator {vendor!r}")
    with _simulator(vendor, scenario.get("options") or {}, timing) as sim:
        t.section(f"{scenario['title']} (simulator at {sim.url})")
        stack = LocalStack(
            load_handler(str(scenario["handler"])), receiver, stack_name=scenario["stack_name"]
        )
        scene = Scene(t, boto3, vendor, sim, Driver(t, stack, sim))
        scene.stack.functions = {"Fn::Secret": scene.secrets.__getitem__, "Fn::Sim": _sim_value(sim)}
        for secret, value in (scenario.get("secrets") or {}).items():
            scene.secrets[secret] = shared_secret(boto3, f"demo/{secret}", _typed(value, scene))
        with scene.appliances:
            for step in scenario["steps"]:
                if t.failures:
                    return
                _step(scene, step)


def _step(scene: Scene, step: dict[str, Any]) -> None:
    from simulators.stack import register_endpoint

    if "template" in step:  # first: its ``update`` is the stack update's parameters
        from demo.stack_play import play

        play(scene, ROOT / step["template"], step.get("update") or {}, step.get("checks") or [])
    elif "say" in step:
        scene.t.line(f"  ({step['say']})")
    elif "endpoint" in step:
        credentials = scene.value(step["credentials"]) if "credentials" in step else None
        options = {k: scene.value(v) for k, v in (step.get("options") or {}).items()}
        url = scene.sim.url if "at" not in step else scene.value(step["at"])
        register_endpoint(scene.vendor, step["endpoint"], url, credentials_secret_arn=credentials, **options)
    elif "appliance" in step:
        _appliance(scene, step)
    elif "create" in step:
        _create(scene, step)
    elif "update" in step:
        _update(scene, step)
    elif "delete" in step:
        _delete(scene, step)
    else:
        raise ValueError(f"unknown demo step {sorted(step)}")


def _create(scene: Scene, step: dict[str, Any]) -> None:
    logical_id = str(step["create"])
    properties = scene.value(step["properties"])
    scene.types[logical_id] = str(step["type"])
    outcome = scene.drive.request("Create", scene.types[logical_id], logical_id, properties, **_options(step))
    _answered(scene, logical_id, properties, outcome)


def _update(scene: Scene, step: dict[str, Any]) -> None:
    logical_id = str(step["update"])
    old, physical_id = scene.properties[logical_id], scene.stack.physical_ids[logical_id]
    new = {**old, **scene.value(step["changes"])}
    outcome = scene.drive.request(
        "Update",
        scene.types[logical_id],
        logical_id,
        new,
        physical_id=physical_id,
        old_properties=old,
        **_options(step),
    )
    if outcome.physical_id != physical_id:
        scene.replaced[logical_id] = (old, physical_id)
    _answered(scene, logical_id, new, outcome)


def _delete(scene: Scene, step: dict[str, Any]) -> None:
    logical_id = str(step["delete"])
    if step.get("replaced"):
        properties, physical_id = scene.replaced.pop(logical_id)
    elif "physical_id" in step:
        properties, physical_id = scene.value(step["properties"]), str(step["physical_id"])
    else:
        properties, physical_id = scene.properties[logical_id], scene.stack.physical_ids[logical_id]
    resource_type = str(step.get("type") or scene.types[logical_id])
    scene.drive.request(
        "Delete", resource_type, logical_id, properties, physical_id=physical_id, **_options(step)
    )


def _appliance(scene: Scene, step: dict[str, Any]) -> None:
    from simulators.cloudbasic import CloudBasicSimulator
    from simulators.stack import register_endpoint

    admin = scene.sim.admin_keys
    if admin is None:
        scene.t.failures.append("a second appliance needs the first one activated")
        return
    other = scene.appliances.enter_context(
        CloudBasicSimulator(admin_access_key_id=admin[0], admin_secret_access_key=admin[1])
    )
    scene.t.line(f"\n  (a second appliance at {other.url} is registered as endpoint {step['appliance']!r})")
    scene.drive.sims.append(other)
    credentials = scene.value(step["credentials"])
    register_endpoint("cloudbasic", step["appliance"], other.url, credentials_secret_arn=credentials)


def _answered(scene: Scene, logical_id: str, properties: dict[str, Any], outcome: Any) -> None:
    scene.properties[logical_id] = properties
    scene.stack.physical_ids[logical_id] = outcome.physical_id
    scene.stack.attributes[logical_id] = outcome.data


def _options(step: dict[str, Any]) -> dict[str, Any]:
    return {"context_seconds": float(step["context_seconds"])} if "context_seconds" in step else {}


def _simulator(vendor: Vendor, options: dict[str, Any], timing: Timing) -> Any:
    if vendor == "cloudbasic":
        from simulators.cloudbasic import CloudBasicSimulator

        return CloudBasicSimulator(seeding_seconds=timing.seeding_seconds, **options)
    from simulators.capella import CapellaSimulator

    return CapellaSimulator(deploy_seconds=timing.deploy_seconds, **options)


def _sim_value(sim: Any) -> Any:
    def value(path: Any) -> str:
        return str(operator.attrgetter(str(path))(sim))

    return value


def _typed(value: Any, scene: Scene) -> Any:
    """A secret's JSON as written (numbers stay numbers), with ``!Sim`` and ``!Secret`` resolved."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in scene.stack.functions:
            return scene.stack.resolve(value)
        return {k: _typed(v, scene) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v, scene) for v in value]
    return value
