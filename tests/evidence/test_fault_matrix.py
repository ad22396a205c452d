"""The fault matrix: every resource type x request type x injected fault, through the real handlers.

Each cell plays one CloudFormation request with one fault armed (after a clean Create for Update and
Delete), then, with the fault gone, what CloudFormation or the operator does next: a failed Create is
rolled back with a Delete of the id it returned, a failed Update with an Update back to the old
properties, a failed Delete is retried (each of those must succeed); a replacing Update is followed by
a Delete of the old id. Then it checks the lifecycle rules:

- exactly one response for the request, with the expected status (``EXPECTED`` and ``OVERRIDES``);
- a non-empty PhysicalResourceId and a body under 4096 bytes;
- no orphan: the API objects of the type are exactly those the stack holds (``subjects.Subject.objects``),
  likewise the provider-owned secrets, and no poll rule or poll state is left (``LocalStack.leftovers``).

Faults are armed on the call the request is about (``Subject.fault_keys``: CreateReplication,
``POST /v3/clusters``...; the cell fails if that call was not made): ``5xx-then-ok`` (one 503, then the
real answer; the transport tests cover longer runs of retries), ``5xx-forever`` (503 until cleared),
``429`` (one, ``Retry-After: 1``), ``4xx`` (403 until cleared), ``malformed`` (the call takes effect, its
answer is cut in half), ``drop`` (the connection is closed before the call takes effect), ``slow`` (the
call waits ``SLOW_SECONDS`` while the Lambda has ``SHORT_CONTEXT`` seconds: with the runtime's reserves,
5 s backstop and 3 s of work margin, the work deadline is 6 s away, less the request's confirmation
with CloudFormation). ``response-url-x2``: the response PUT fails twice. ``duplicate``: the same event
is delivered twice. ``placeholder`` /
``unknown-id``: Delete of an id a failed Create returned, or of an id CloudFormation made up (no API
call may be made). ``gone``: Delete of an object that was already removed outside the stack.
``5xx-forever`` also runs with the short context so that its retries end at the work deadline rather
than after the transport's five attempts.

The table of cells is printed at the end of the run (tests/leakcheck.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from simulators.faults import Fault
from simulators.stack import LocalStack, Outcome
from tests.evidence.subjects import SUBJECTS, Subject
from tests.evidence.world import World, world
from tests.leakcheck import record_matrix_cell

S, F = "SUCCESS", "FAILED"
REQUESTS = ("Create", "Update", "Delete")
SHORT_CONTEXT = 14.0
"""6 s of work: enough for the calls before the faulted one on a loaded machine (with 1.5 s, and later
2.5 s, and 4 s under a busy CI machine, a slow cell's call was sometimes never made)."""
SLOW_SECONDS = 6.3
"""Longer than the whole work window, so a slow call is always ended by the work deadline."""
API_FAULTS = ("5xx-then-ok", "5xx-forever", "429", "4xx", "malformed", "drop", "slow")
NOTHING_TO_TOUCH = ("placeholder", "unknown-id")
DELETE_ONLY = (*NOTHING_TO_TOUCH, "gone")
FAULTS = ("none", *API_FAULTS, "response-url-x2", "duplicate", *DELETE_ONLY)
PLACEHOLDER = "failed-create-Thing-0a1b2c3d"
UNKNOWN_ID = "evidence-stack-Thing-1X2Y3Z4W5V6U"

# What a request that calls the API must answer under each fault. A fault on the API changes nothing
# for a request that makes no call (a connection-only Update of a user or an activation, the Delete of a
# user): those cells expect what "none" expects.
EXPECTED: dict[str, dict[str, str]] = {
    "none": {"Create": S, "Update": S, "Delete": S},
    "5xx-then-ok": {"Create": S, "Update": S, "Delete": S},  # retried (503: not processed, creates too)
    "5xx-forever": {"Create": F, "Update": F, "Delete": F},  # retries end at the deadline, reason readable
    "429": {"Create": S, "Update": S, "Delete": S},  # Retry-After honoured
    "4xx": {"Create": F, "Update": F, "Delete": F},  # not retried; a 403 proves nothing about deletion
    "malformed": {"Create": F, "Update": F, "Delete": F},  # the call's outcome cannot be read
    "drop": {"Create": F, "Update": S, "Delete": S},  # reads and deletes retry; a create may have happened
    "slow": {"Create": F, "Update": F, "Delete": F},  # the work deadline ends the call; FAILED in time
    "response-url-x2": {"Create": S, "Update": S, "Delete": S},  # the PUT is retried
    "duplicate": {"Create": S, "Update": S, "Delete": S},  # one response, one object
    "placeholder": {"Delete": S},  # nothing to remove, nothing touched
    "unknown-id": {"Delete": S},
    "gone": {"Delete": S},  # the object was removed behind the stack's back: nothing left to do
}

# Cells whose right answer differs from the column's, with the reason.
_NO_BODY = "the answer has no body the type needs, and the call took effect"
_VERIFIED = "the create's outcome is unknown, so the type looks the object up by name at the next poll and "
OVERRIDES: dict[tuple[str, str, str], tuple[str, str]] = {
    ("Replication", "Create", "malformed"): (
        S,
        "CreateReplication's answer is unreadable, so the type looks the new job up and adopts it",
    ),
    ("Replication", "Create", "slow"): (
        S,
        "CreateReplication's outcome is unknown, so the type looks for a new job between the same "
        "databases at the next polls and adopts it once the appliance has made it",
    ),
    ("CapellaCluster", "Create", "malformed"): (
        S,
        "the id comes from the 202's Location header; " + _NO_BODY,
    ),
    ("CapellaCluster", "Update", "malformed"): (S, "PUT .../meta: " + _NO_BODY),
    ("CapellaCluster", "Delete", "malformed"): (
        S,
        "DELETE answers 202 (the destroy is then polled): " + _NO_BODY,
    ),
    ("CapellaProject", "Delete", "malformed"): (S, "DELETE: " + _NO_BODY),
    ("CapellaDbUser", "Create", "malformed"): (S, "the physical id is ClusterId/UserName: " + _NO_BODY),
    ("CapellaDbUser", "Update", "malformed"): (S, "the user is re-created: " + _NO_BODY),
    ("CapellaDbUser", "Delete", "malformed"): (S, "DELETE: " + _NO_BODY),
    ("CapellaProject", "Create", "malformed"): (S, _VERIFIED + "finds the project the 201 made"),
    ("CapellaProject", "Create", "slow"): (S, _VERIFIED + "finds the project once the API has made it"),
    ("CapellaCluster", "Create", "slow"): (S, _VERIFIED + "adopts the cluster and follows its deploy"),
    ("CapellaDbUser", "Create", "slow"): (S, _VERIFIED + "finds the user once the API has made it"),
    ("CapellaDbUser", "Update", "drop"): (
        F,
        "an Update deletes and re-creates the user; the re-create is a create, so a dropped connection "
        "leaves its outcome unknown and is not retried; the rollback Update re-creates the user",
    ),
    ("CapellaProjectV4", "Create", "malformed"): (S, _VERIFIED + "finds the project the 201 made"),
    ("CapellaProjectV4", "Create", "slow"): (S, _VERIFIED + "finds the project once the API has made it"),
    ("CapellaProjectV4", "Update", "malformed"): (S, "PUT answers 204: " + _NO_BODY),
    ("CapellaProjectV4", "Delete", "malformed"): (S, "DELETE answers 204: " + _NO_BODY),
    ("CapellaClusterV4", "Create", "malformed"): (
        S,
        _VERIFIED + "adopts the cluster the 202 made and follows its deploy",
    ),
    ("CapellaClusterV4", "Create", "slow"): (S, _VERIFIED + "adopts the cluster and follows its deploy"),
    ("CapellaClusterV4", "Update", "malformed"): (
        S,
        "PUT answers 204 (the cluster is then polled until it settles): " + _NO_BODY,
    ),
    ("CapellaClusterV4", "Delete", "malformed"): (
        S,
        "DELETE answers 202 (the destroy is then polled until 404): " + _NO_BODY,
    ),
    ("CapellaBucket", "Create", "malformed"): (S, _VERIFIED + "finds it in the cluster's bucket list"),
    ("CapellaBucket", "Create", "slow"): (S, _VERIFIED + "finds the bucket once the API has made it"),
    ("CapellaBucket", "Update", "malformed"): (S, "PUT answers 204: " + _NO_BODY),
    ("CapellaBucket", "Delete", "malformed"): (S, "DELETE answers 204: " + _NO_BODY),
    ("CapellaAllowedCidr", "Create", "malformed"): (S, _VERIFIED + "finds the entry by its CIDR"),
    ("CapellaAllowedCidr", "Create", "slow"): (S, _VERIFIED + "finds the entry once the API has made it"),
    ("CapellaAllowedCidr", "Update", "malformed"): (
        S,
        "an Update deletes and re-creates the entry; " + _VERIFIED + "finds the re-created entry",
    ),
    ("CapellaAllowedCidr", "Update", "slow"): (
        S,
        "an Update deletes and re-creates the entry; " + _VERIFIED + "finds it once the API has made it",
    ),
    ("CapellaAllowedCidr", "Update", "drop"): (
        F,
        "an Update deletes and re-creates the entry; a dropped create is not retried (it may have been "
        "carried out), the look-ups find no entry, and the rollback Update creates it again",
    ),
    ("CapellaAllowedCidr", "Delete", "malformed"): (S, "DELETE answers 204: " + _NO_BODY),
    ("CapellaCredential", "Create", "malformed"): (
        S,
        _VERIFIED + "adopts the credential and gives it a password it knows (the generated one was in "
        "the unreadable body)",
    ),
    ("CapellaCredential", "Create", "slow"): (S, _VERIFIED + "finds the credential once the API has made it"),
    ("CapellaCredential", "Update", "malformed"): (S, "PUT answers 204: " + _NO_BODY),
    ("CapellaCredential", "Delete", "malformed"): (S, "DELETE answers 204: " + _NO_BODY),
}

# Cells where the product misbehaves: strict xfail with the exact symptom (the fix is routed elsewhere).
KNOWN_BAD: dict[tuple[str, str, str], str] = {}


def calls_api(subject: Subject, request: str) -> bool:
    return {"Create": True, "Update": subject.update_calls_api, "Delete": subject.delete_calls_api}[request]


def expected_status(subject: Subject, request: str, fault: str) -> str:
    override = OVERRIDES.get((subject.row, request, fault))
    if override is not None:
        return override[0]
    if fault in API_FAULTS and not calls_api(subject, request):
        return EXPECTED["none"][request]
    return EXPECTED[fault][request]


def cells() -> list[Any]:
    found = []
    for subject in SUBJECTS:
        for request in REQUESTS:
            for fault in FAULTS:
                if fault in DELETE_ONLY and request != "Delete":
                    continue
                marks = []
                symptom = KNOWN_BAD.get((subject.row, request, fault))
                if symptom:
                    marks.append(pytest.mark.xfail(strict=True, reason=symptom))
                found.append(
                    pytest.param(subject, request, fault, marks=marks, id=f"{subject.row}-{request}-{fault}")
                )
    return found


@dataclass
class Cell:
    subject: Subject
    request: str
    fault: str
    w: World
    problems: list[str] = field(default_factory=list)
    held: set[str] = field(default_factory=set)
    """Physical ids (lower-cased) of the objects the stack holds."""

    def check(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)


@pytest.mark.parametrize(("subject", "request_type", "fault"), cells())
def test_fault_cell(
    subject: Subject,
    request_type: str,
    fault: str,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    want = expected_status(subject, request_type, fault)
    with world(subject.family, monkeypatch, activated=subject.activated) as w:
        cell = Cell(subject, request_type, fault, w)
        got = play(cell)
        row = f"{subject.row} {request_type}"
        verdict = "OK" if got == want and not cell.problems else "BAD"
        record_matrix_cell(request, row, fault, f"{got}/{verdict}", column_order=FAULTS.index(fault))
        assert got == want, f"expected {want}, got {got}; other problems: {cell.problems}"
        assert not cell.problems, cell.problems


def play(cell: Cell) -> str:
    """Play the cell; returns the status of the request under test (problems are collected in ``cell``)."""
    w, subject, fault = cell.w, cell.subject, cell.fault
    props = subject.make_props(w)
    physical_id: str | None = None
    old_props: dict[str, Any] | None = None
    if cell.request != "Create":
        created = w.stack.send("Create", subject.type_name, "Thing", props)
        assert created.status == S, f"setup Create failed: {created.reason}"
        physical_id = created.physical_id
        cell.held = {physical_id.lower()}
    if cell.request == "Update":
        old_props, props = props, subject.change(w, props)
    if fault == "placeholder":
        physical_id = PLACEHOLDER
    elif fault == "unknown-id":
        physical_id = UNKNOWN_ID
    elif fault == "gone" and physical_id is not None:
        subject.remove(w, physical_id)

    event = w.stack.event(
        cell.request, subject.type_name, "Thing", props, physical_id=physical_id, old_properties=old_props
    )
    calls_before = len(w.api.calls)
    armed_at = time.monotonic()
    key = subject.fault_keys[REQUESTS.index(cell.request)]
    armed = arm(w, fault, key, event["RequestId"])
    context = SHORT_CONTEXT if fault in ("slow", "5xx-forever") else None
    outcome = w.stack.run(event, context_seconds=context)
    if fault == "duplicate":
        outcome = w.stack.run(event, context_seconds=context)
    w.api.faults.clear()
    if fault in API_FAULTS and calls_api(subject, cell.request):

        def hit() -> bool:
            return any(call.key == key or key == "*" for call in w.api.calls_since(calls_before))

        if fault == "slow" and armed is not None and armed.times == 0:
            # The simulator took the fault: the call is recorded when its delay ends, however late the
            # handler reached it. Let it finish (it may still take effect) before looking.
            until = armed_at + SHORT_CONTEXT + SLOW_SECONDS
            while not hit() and time.monotonic() < until:
                time.sleep(0.1)
        cell.check(hit(), f"the fault on {key} was never hit")

    status = one_response(cell, outcome)
    if fault in NOTHING_TO_TOUCH:
        cell.check(len(w.api.calls) == calls_before, f"Delete of {physical_id} called the API")
    follow_up(cell, outcome, status, physical_id)
    no_orphans(cell)
    return status


def arm(w: World, fault: str, key: str, request_id: str) -> Fault | None:
    """Arm ``fault`` on the call ``key``; the API fault armed (its ``times`` tells if it was taken)."""
    faults = w.api.faults
    if fault == "5xx-then-ok":
        return faults.fail_times(key, 1, status=503)
    if fault == "5xx-forever":
        return faults.add(key, status=503, times=None)
    if fault == "429":
        return faults.add(key, status=429, headers={"Retry-After": "1"}, times=1)
    if fault == "4xx":
        return faults.add(key, status=403, times=None)
    if fault == "malformed":
        return faults.add(key, malformed=True, times=1)
    if fault == "drop":
        return faults.add(key, drop=True, times=1)
    if fault == "slow":
        return faults.add(key, delay=SLOW_SECONDS, times=1)
    if fault == "response-url-x2":
        w.receiver.faults.fail_times(w.receiver.path_for(request_id), 2)
    return None


def one_response(cell: Cell, outcome: Outcome) -> str:
    """The status of the one response (problems recorded when there are none or several)."""
    cell.check(len(outcome.responses) == 1, f"{len(outcome.responses)} responses instead of one")
    if not outcome.responses:
        return "NONE"
    first = outcome.responses[0]
    body = first.body
    cell.check(bool(str(body.get("PhysicalResourceId") or "").strip()), "empty PhysicalResourceId")
    cell.check(first.size < 4096, f"response of {first.size} bytes")
    if body.get("Status") == F:
        cell.check(bool(str(body.get("Reason") or "").strip()), "FAILED without a reason")
    return str(body.get("Status"))


def follow_up(cell: Cell, outcome: Outcome, status: str, physical_id: str | None) -> None:
    """What CloudFormation does after the response, and what the stack then holds."""
    w, subject = cell.w, cell.subject
    props = outcome.event["ResourceProperties"]
    if not outcome.responses:
        return
    returned = str(outcome.responses[0].body.get("PhysicalResourceId") or "")
    if cell.request == "Create":
        if status == S:
            cell.held = {returned.lower()}
            return
        rollback = w.stack.send("Delete", subject.type_name, "Thing", props, physical_id=returned)
        cell.check(
            rollback.status == S, f"rollback Delete of {returned}: {rollback.status} {rollback.reason}"
        )
    elif cell.request == "Update":
        old = outcome.event["OldResourceProperties"]
        if status == S and physical_id is not None and returned != physical_id:
            cleanup = w.stack.send("Delete", subject.type_name, "Thing", old, physical_id=physical_id)
            cell.check(cleanup.status == S, f"clean-up Delete of the old id: {cleanup.reason}")
            cell.held = {returned.lower()}
        elif status == F:
            back = w.stack.send(
                "Update", subject.type_name, "Thing", old, physical_id=physical_id, old_properties=props
            )
            cell.check(back.status == S, f"rollback Update: {back.status} {back.reason}")
            cell.check(
                back.physical_id == physical_id, f"rollback Update changed the id to {back.physical_id}"
            )
    elif cell.fault not in NOTHING_TO_TOUCH:
        if status == F:
            again = w.stack.send("Delete", subject.type_name, "Thing", props, physical_id=physical_id)
            cell.check(again.status == S, f"Delete retried after the fault: {again.status} {again.reason}")
        cell.held = set()


def no_orphans(cell: Cell) -> None:
    w = cell.w
    leftovers = LocalStack.leftovers()
    cell.check(leftovers == {"rules": [], "poll_state": []}, f"poll leftovers {leftovers}")
    objects = cell.subject.objects(w)
    cell.check(not objects - cell.held, f"orphaned API objects {sorted(objects - cell.held)}")
    cell.check(not cell.held - objects, f"objects the stack holds are missing: {sorted(cell.held - objects)}")
    tags = {tag.lower() for tag in w.owned_secrets().values()}
    cell.check(tags <= cell.held, f"orphaned provider-owned secrets for {sorted(tags - cell.held)}")
