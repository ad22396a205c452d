"""The path of one Create of ``Custom::CloudBasicReplication``, from the handler to the HTTP call and back.

The runtime is meant to read as a one-way pipeline: the event in, checked, planned, recorded, acted,
answered. This test records the path of a real request (functions/cloudbasic_provider/app.py, the
CloudBasic simulator over HTTP, AWS from moto) with ``sys.setprofile`` (``tests.runtime.call_path``) and
holds it to that; ``pytest -s`` prints it.

- No re-entry: no call comes back into a file that still has a frame lower on the stack (a callback
  from a later stage into an earlier one, or a cycle between modules).
- The *stage* files, the path's own modules, are ``STAGES``: each stage is called by exactly one other,
  the one ``STAGES`` names as its caller, so the path is a tree walked depth first, and no stage is
  entered again from a later one. Every other file entered is a *leaf* (errors, logging, redaction,
  values, property models, secrets, the state table's items...) and calls no stage.
- ``docs/runtime.md`` lists the stages as ``stage_table`` makes them (each module's docstring summary).

Why these stages and no fewer: one per step of the pipeline (checked, planned, recorded, acted,
answered), the handler and the pipeline that runs the steps in order, the three the resource side needs
to reach its API (the resource type, its client, the transport) and the one that PUTs the answer.

A first Create runs unrecorded, so the recorded one is a warm container's (its imports done).
"""

from __future__ import annotations

from typing import Any

import pytest

import tests.resources.conftest as resources_conftest
from tests.resources.conftest import CloudBasicEnv
from tests.runtime.call_path import ROOT, CallPath, module_summary

cb = resources_conftest.cb

TYPE = "Custom::CloudBasicReplication"
LAYER = "layers/provider/cbprovider/"
RUNTIME = ROOT / LAYER / "runtime"
MAX_MODULE_LINES = 250
HANDLER = "functions/cloudbasic_provider/app.py"
"""The handler module only declares the types; its ``lambda_handler`` is a ``Provider``, whose
``__call__`` is the first code a request runs (so the module itself is never entered)."""

STAGES: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("handler", None, (HANDLER, LAYER + "runtime/provider.py")),
    ("pipeline", "handler", (LAYER + "runtime/pipeline.py",)),
    ("checked", "pipeline", (LAYER + "runtime/checks.py",)),
    ("planned", "pipeline", (LAYER + "runtime/planning.py",)),
    ("recorded", "pipeline", (LAYER + "runtime/ledger.py",)),
    ("acted", "pipeline", (LAYER + "runtime/acting.py",)),
    (
        "resource type",
        "acted",
        (LAYER + "resources/cloudbasic/replication.py", LAYER + "resources/cloudbasic/connection.py"),
    ),
    ("API client", "resource type", (LAYER + "cloudbasic/client.py", LAYER + "api_client.py")),
    ("transport", "API client", (LAYER + "transport.py",)),
    ("answered", "pipeline", (LAYER + "runtime/finish.py",)),
    ("response delivery", "answered", (LAYER + "runtime/response.py",)),
)
"""(stage, the stage that calls it, its files), in the order the docs list them."""

STAGE_OF = {file: stage for stage, _, files in STAGES for file in files}
MAX_STAGES = 11
"""The bound the module docstring justifies (the resource type, the API client and the handler take
two files each: a shared helper or base class, which stays in the stage it serves)."""


def _props(cb: CloudBasicEnv) -> dict[str, Any]:
    source = cb.rds_secret(host="sales-db.example.internal", password="Src-Pa55w0rd")
    replica = cb.rds_secret(host="replica-db.example.internal", database=None, password="Rep-Pa55w0rd")
    return {
        "Source": {"SecretArn": source},
        "Destination": {"SecretArn": replica, "Database": "SalesReplica"},
        "ReplicationName": "sales-dr",
    }


def recorded(cb: CloudBasicEnv, request_type: str, properties: dict[str, Any], **kwargs: Any) -> CallPath:
    """One request's path: ``SUCCESS`` in one invocation (the container is warm: a Create ran before)."""
    handler = cb.stack.handler
    path = CallPath()

    def recording(event: Any, context: Any) -> None:
        with path.recording():
            handler(event, context)

    cb.stack.handler = recording
    try:
        outcome = cb.stack.send(request_type, TYPE, "Replica", properties, **kwargs)
    finally:
        cb.stack.handler = handler
    assert outcome.status == "SUCCESS", outcome.reason
    assert outcome.physical_id in cb.sim.replications
    assert outcome.invocations == 1
    return path


def recorded_create(cb: CloudBasicEnv) -> CallPath:
    warm = cb.stack.send("Create", TYPE, "Warm", _props(cb))
    assert warm.status == "SUCCESS", warm.reason
    return recorded(cb, "Create", _props(cb))


def stage_callers(path: CallPath) -> dict[str, set[str]]:
    """Each stage entered, with the stages that called it."""
    callers: dict[str, set[str]] = {}
    for a, b in path.edges:
        if a in STAGE_OF and b in STAGE_OF and STAGE_OF[a] != STAGE_OF[b]:
            callers.setdefault(STAGE_OF[b], set()).add(STAGE_OF[a])
    return callers


def stage_table() -> str:
    """The Markdown table of ``STAGES`` that docs/runtime.md holds."""
    rows = ["| stage | called by | file | what it does |", "| --- | --- | --- | --- |"]
    for stage, caller, files in STAGES:
        for file in files:
            shown = file.removeprefix(LAYER)
            rows.append(f"| {stage} | {caller or 'Lambda'} | `{shown}` | {module_summary(file)} |")
    return "\n".join(rows)


def _print(path: CallPath) -> None:
    staged = sum(1 for file in path.files if file in STAGE_OF)
    print(
        f"\n{len(path.files)} project files entered ({staged} stage files, {len(path.files) - staged} leaves)"
    )
    print("in order of first entry (* stage):")
    for file in path.files:
        print(f"  {'*' if file in STAGE_OF else ' '} {file}")
    print("stage calls:")
    for a, b in sorted(path.edges):
        if a in STAGE_OF and b in STAGE_OF and STAGE_OF[a] != STAGE_OF[b]:
            print(f"    {a} -> {b}")
    print("re-entries:", "".join(f"\n    {r}" for r in path.re_entries) or "none")


def test_one_create_is_a_straight_line(cb: CloudBasicEnv) -> None:
    path = recorded_create(cb)
    _print(path)
    assert [str(r) for r in path.re_entries] == []
    stage_files = [f for f in path.files if f in STAGE_OF]
    assert set(stage_files) == set(STAGE_OF) - {HANDLER}, "a stage not on the path, or one not declared"
    assert len(STAGES) <= MAX_STAGES
    expected = {stage: {caller} for stage, caller, _ in STAGES if caller is not None}
    assert stage_callers(path) == expected, "each stage is called by one stage only: the one STAGES names"
    assert path.calls_from_leaves(frozenset(STAGE_OF)) == [], "a leaf calls into a stage"


def test_a_create_polled_in_process_until_seeded_is_as_straight(
    cb: CloudBasicEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``WaitFor: Seeded`` with in-process polling: the acted stage polls the type until the seeding
    ends, and stops early only when the answered stage is under way, which it reads from a value
    (``Finish.answering``), never by calling back."""
    from simulators.stack import load_handler

    monkeypatch.setenv("CFN_PROVIDER_INLINE_POLL_SECONDS", "0.3")
    cb.stack.handler = load_handler("cloudbasic_provider")
    warm = cb.stack.send("Create", TYPE, "Warm", _props(cb))
    assert warm.status == "SUCCESS", warm.reason
    path = recorded(cb, "Create", {**_props(cb), "WaitFor": "Seeded"})
    assert sum(1 for call in cb.sim.calls if call.path == "/api/ReplicationStatus") >= 3
    _print(path)
    assert [str(r) for r in path.re_entries] == []
    expected = {stage: {caller} for stage, caller, _ in STAGES if caller is not None}
    assert stage_callers(path) == expected
    assert path.calls_from_leaves(frozenset(STAGE_OF)) == [], "a leaf calls into a stage"


def test_a_create_whose_answer_is_lost_is_as_straight(cb: CloudBasicEnv) -> None:
    """CreateReplication makes the job but its answer cannot be read: the type looks for the new job
    at once and asks the state table (``req.owned_elsewhere``, a value on the request) that no other
    stack owns it, calling nothing back."""
    warm = cb.stack.send("Create", TYPE, "Warm", _props(cb))
    assert warm.status == "SUCCESS", warm.reason
    cb.sim.faults.add("CreateReplication", malformed=True)
    path = recorded(cb, "Create", _props(cb))
    assert "CreateReplication's answer was lost: adopting the new job" in cb.log.getvalue()
    _print(path)
    assert [str(r) for r in path.re_entries] == []
    expected = {stage: {caller} for stage, caller, _ in STAGES if caller is not None}
    assert stage_callers(path) == expected
    assert path.calls_from_leaves(frozenset(STAGE_OF)) == [], "a leaf calls into a stage"


def test_a_replacing_update_also_asks_the_type_while_planning_and_nothing_calls_back(
    cb: CloudBasicEnv,
) -> None:
    """The planned stage asks the resource type whether the change replaces the object
    (``requires_replacement``, which resolves both ends' secrets): the type answers with a value and
    calls nothing of the runtime back."""
    given = _props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", given)
    assert created.status == "SUCCESS", created.reason
    moved = {**given, "Destination": {**given["Destination"], "Database": "OtherReplica"}}
    path = recorded(cb, "Update", moved, physical_id=created.physical_id, old_properties=given)
    assert len(cb.sim.replications) == 2, "the Update replaced the job (the old one awaits its Delete)"
    _print(path)
    assert [str(r) for r in path.re_entries] == []
    expected = {stage: {caller} for stage, caller, _ in STAGES if caller is not None}
    expected["resource type"] = {"acted", "planned"}
    assert stage_callers(path) == expected
    assert path.calls_from_leaves(frozenset(STAGE_OF)) == [], "a leaf calls into a stage"


def test_the_handler_is_the_provider_whose_call_starts_the_path() -> None:
    from cbprovider.runtime import Provider

    from simulators.stack import load_handler

    assert isinstance(load_handler("cloudbasic_provider"), Provider)


def test_the_docs_list_the_stages_as_the_modules_describe_them() -> None:
    page = (ROOT / "docs" / "runtime.md").read_text()
    assert stage_table() in page, "docs/runtime.md: replace the stage table with\n" + stage_table()


def test_no_runtime_module_is_over_250_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in sorted(RUNTIME.glob("*.py"))
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
