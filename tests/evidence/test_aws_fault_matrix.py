"""The fault matrix, AWS side: every resource type's Create with one fault of AWS or one hostile answer.

The API-side matrix (``test_fault_matrix``) breaks the vendor's API; this one breaks what the provider
runs on: DynamoDB (its state table), EventBridge (poll rules), Secrets Manager, SSM (the endpoint
registry), CloudFormation (the confirmation of each request) and the ResponseURL, plus answers that
used to take the function down (a gzip bomb, an answer dripped a byte at a time, one nested thousands
deep), properties nested thousands deep, and invocations that die (an error at init, a kill as for
running out of memory) and are answered by the on-failure destination (``cbprovider.runtime.crash``).

AWS faults are injected with ``tests.aws_calls`` above botocore's own retries: what the code sees once
those have given up (a throttle that outlasted them, an outage, a read timeout). Each cell plays the
Create with its fault armed; with the fault gone, CloudFormation's rollback Delete of the id a FAILED
Create returned (which must succeed). Then, as in the API-side matrix:

- exactly one delivered response, a non-empty PhysicalResourceId, a FAILED has a reason, and for the
  faults that can only fail the reason says what happened (``REASON``);
- nothing orphaned: no poll rule or state (kept answers included), no API object the stack does not
  hold, no provider-owned secret the stack does not hold, no owned secret left with only its
  placeholder value;
- nothing secret in any output: the cells' secrets live in moto or the simulators, which the
  secret-leak check (``tests.leakcheck``) reads; it scans logs, responses and captured output.

A cell whose fault the row's Create never meets (no poll rule for a type that answers at once, no
CreateSecret for a type that hands out no keys) is not played: the table shows ``-``.

An invocation killed during its create call (``oom-kill``) is answered through the type's in-flight
record (``ResourceType.in_flight``, kept before the call): the on-failure destination hands it to the
type's ``poll``. Every type that can look its objects up adopts the object (SUCCESS); those whose list
tells no creation time (HACluster, CapellaDbUser, CapellaBucket) keep a before-list, the objects of that
name already there, and adopt only one that was not. User and Activation cannot: CloudBasic hands their
key pair out only in the lost answer, so their poll answers FAILED under the real physical id (the
rollback Delete then acts on it as on any Delete: the user, the activated instance stay), says that the
key pair is lost and what to do, and removes the keys secret that held only its placeholder.

``KNOWN_BAD`` cells show what is still wrong, as xfails that must keep their exact symptom (none now).
A cluster whose claim failed is removed before the FAILED goes out: the removal waits for a deploying
cluster to settle and for its delete to be accepted (an object the API is destroying counts as removed).

The table prints at the end of the run, after the API-side one.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

import pytest

from simulators.cloudformation import CapturedResponse
from simulators.stack import FUNCTION_ARN, LambdaContext, Outcome
from tests.aws_calls import TIMEOUT, AwsCalls, Failure, aws_calls
from tests.evidence.killed import killed_after_call
from tests.evidence.subjects import SUBJECTS, Subject
from tests.evidence.test_fault_matrix import Cell, follow_up, no_orphans, one_response
from tests.evidence.world import FUNCTIONS, World, world
from tests.leakcheck import record_matrix_cell

S, F = "SUCCESS", "FAILED"
TABLE = "fault matrix, AWS side (resource Create x fault: response status / check)"
SLOW_CONTEXT = 12.0
"""The Lambda's seconds for ``slow-drip``: with the runtime's reserves (5 s backstop, 3 s of work margin)
the work deadline is 4 s away, time enough to reach the create call on a busy machine, and far less
than the dripped answer takes."""
DRIP_SECONDS = 1.0
DEPTH = 2000

THROTTLED_DDB = Failure("ProvisionedThroughputExceededException", 400)
DDB_ERROR = Failure("InternalServerError", 500)
THROTTLED = Failure("ThrottlingException", 400)
EVENTS_ERROR = Failure("InternalException", 500)
SM_ERROR = Failure("InternalServiceError", 500)
SSM_ERROR = Failure("InternalServerError", 500)
CFN_THROTTLED = Failure("Throttling", 400)

DYNAMODB_OPERATIONS = ("PutItem", "GetItem", "UpdateItem", "DeleteItem", "TransactWriteItems")
API_ANSWERS = ("gzip-bomb", "slow-drip", "deep-answer")
"""Columns whose fault is the API's answer to the create call."""

# Column -> (what is broken, expected status, why). Every column's faults last for the whole request
# (its polls included) unless it says "once".
COLUMNS: dict[str, tuple[str, str, str]] = {
    "ddb-throttled": (
        "every DynamoDB call throttled (ProvisionedThroughputExceededException)",
        F,
        "the state table cannot record the request: nothing is called, FAILED says why",
    ),
    "ddb-error-after-call": (
        "DynamoDB InternalServerError from the moment the API holds the new object",
        F,
        "the object cannot be recorded; FAILED names it so that the rollback removes it",
    ),
    "putrule-fails": (
        "EventBridge PutRule fails",
        F,
        "the long operation cannot be scheduled; FAILED names the object, the rollback removes it",
    ),
    "sm-get-throttled": ("Secrets Manager GetSecretValue throttled", F, "no credentials, no call"),
    "sm-get-timeout": ("Secrets Manager GetSecretValue times out", F, "no credentials, no call"),
    "sm-describe-fails": (
        "Secrets Manager DescribeSecret fails",
        F,
        "a property's secret cannot be checked for sharing: it is not read",
    ),
    "sm-create-fails": (
        "Secrets Manager CreateSecret fails",
        F,
        "the keys would have nowhere to go: the API is not called",
    ),
    "ssm-fails": ("SSM GetParameter fails", F, "the endpoint registry cannot be read: nothing is called"),
    "cfn-throttled": (
        "CloudFormation DescribeStackResource throttled once",
        S,
        "the confirmation is asked again after a pause",
    ),
    "cfn-unavailable": (
        "CloudFormation DescribeStackResource throttled",
        F,
        "the request cannot be confirmed: nothing is touched, FAILED to the checked URL",
    ),
    "url-down": (
        "every ResponseURL PUT fails until the fault clears",
        S,
        "the answer is kept and re-sent by its rule; it arrives once",
    ),
    "url-down-no-rule": (
        "every ResponseURL PUT fails and EventBridge PutRule fails, until both clear",
        S,
        "the kept answer is sent again once the URL answers",
    ),
    "gzip-bomb": (
        "the create's answer is a gzip bomb (300 KiB to 300 MiB)",
        F,
        "the body is refused unread; the outcome is unknown",
    ),
    "slow-drip": (
        f"the create's answer drips a byte every {DRIP_SECONDS} s",
        F,
        "the call ends at the work deadline; FAILED in time",
    ),
    "deep-answer": (
        "the create's answer is JSON nested 100,000 deep",
        F,
        "a format error, not a crash",
    ),
    "deep-props": (
        f"a property nested {DEPTH} deep",
        F,
        "refused naming the property, before anything is called",
    ),
    "crash-init": (
        "the function fails at init",
        F,
        "the on-failure destination answers FAILED with a placeholder",
    ),
    "oom-kill": (
        "the process is killed (out of memory) right after the create call",
        F,
        "the on-failure destination answers FAILED; a type with an in-flight record answers through it",
    ),
}
ORDER = {column: index for index, column in enumerate(COLUMNS)}

# What the reason of an expected FAILED must contain (lower-cased), so that it says what happened: by
# column, or by (row, column) for a cell whose FAILED differs from its column's.
REASON: dict[str | tuple[str, str], str] = {
    "ddb-throttled": "throttl",
    "sm-get-throttled": "throttl",
    "sm-create-fails": "secret",
    "ssm-fails": "endpoint",
    "cfn-unavailable": "cloudformation",
    "deep-props": "nested more than",
    "crash-init": "invocationfailed",
    "oom-kill": "invocationfailed",
    ("User", "oom-kill"): "the key pair createuser hands out only in its answer was lost",
    ("Activation", "oom-kill"): "the admin key pair activateinstance hands out only in its answer was lost",
}

ROWS = tuple(subject.row for subject in SUBJECTS)
IN_FLIGHT = (
    "Replication",
    "CapellaProject",
    "CapellaCluster",
    "CapellaProjectV4",
    "CapellaClusterV4",
    "CapellaAllowedCidr",
    "CapellaCredential",
    "HACluster",
    "CapellaDbUser",
    "CapellaBucket",
)
"""Rows whose type records its create in flight (``ResourceType.in_flight``) before the call and can
look its object up (the last three with a before-list)."""

# Cells whose right answer differs from the column's, with the reason.
_LOOKED_UP = "the create's outcome is unknown, so the type looks the object up and adopts it"
OVERRIDES: dict[tuple[str, str], tuple[str, str]] = {
    ("Replication", "gzip-bomb"): (S, _LOOKED_UP),
    ("Replication", "deep-answer"): (S, _LOOKED_UP),
    ("Replication", "slow-drip"): (S, _LOOKED_UP),
    ("CapellaProject", "gzip-bomb"): (S, _LOOKED_UP),
    ("CapellaProject", "deep-answer"): (S, _LOOKED_UP),
    ("CapellaProject", "slow-drip"): (S, _LOOKED_UP),
    ("CapellaCluster", "gzip-bomb"): (
        S,
        "the id comes from the 202's Location header; the body is not needed",
    ),
    ("CapellaCluster", "deep-answer"): (
        S,
        "the id comes from the 202's Location header; the body is not needed",
    ),
    ("CapellaCluster", "slow-drip"): (S, _LOOKED_UP),
    **{
        (row, "url-down-no-rule"): (
            F,
            "PutRule fails, so the deploy cannot be handed over to its poll rule (as in putrule-fails); "
            "the FAILED is kept and sent once the URL answers",
        )
        for row in ("CapellaCluster", "CapellaClusterV4")
    },
    **{
        (row, "oom-kill"): (
            S,
            "the create was in flight: the destination hands it to the type's look-up, which adopts it",
        )
        for row in IN_FLIGHT
    },
    **{
        (row, "oom-kill"): (
            F,
            "the key pair is handed out only in the answer the kill lost: the type's poll answers FAILED "
            "under the real id (the rollback Delete acts on it), says so and removes the placeholder secret",
        )
        for row in ("User", "Activation")
    },
    ("CapellaDbUser", "gzip-bomb"): (S, "the physical id is ClusterId/UserName: the body is not needed"),
    ("CapellaDbUser", "deep-answer"): (S, "the physical id is ClusterId/UserName: the body is not needed"),
    ("CapellaDbUser", "slow-drip"): (S, _LOOKED_UP),
    # The v4 types find what an unreadable or late create answer made, as the API-side matrix shows.
    **{
        (row, column): (S, _LOOKED_UP)
        for row in (
            "CapellaProjectV4",
            "CapellaClusterV4",
            "CapellaBucket",
            "CapellaAllowedCidr",
            "CapellaCredential",
        )
        for column in ("gzip-bomb", "deep-answer", "slow-drip")
    },
}

KEY_TYPES = ("User", "Activation")
"""Rows whose Create hands out keys into a provider-owned secret."""
POLLING = ("CapellaCluster",)
"""Rows whose Create goes on across polls (a rule on EventBridge)."""
PROPERTY_SECRETS = ("Replication", "HACluster", "User", "Activation", "CapellaDbUser")
"""Rows with properties that name secrets (DescribeSecret before GetSecretValue)."""


# Cells where the product misbehaves: the exact symptom (every problem the cell finds must start with
# one of the ``symptom`` prefixes) and why. Shown as xfailed while the symptom is there; a cell that finds
# no problem any more fails until it is removed from here.
KNOWN_BAD: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {}


def applies(subject: Subject, column: str) -> bool:
    """Whether the row's Create meets the column's fault at all."""
    if column == "putrule-fails":
        return subject.row in POLLING
    if column == "sm-create-fails":
        return subject.row in KEY_TYPES
    if column == "sm-describe-fails":
        return subject.row in PROPERTY_SECRETS
    return True


def expected(subject: Subject, column: str) -> str:
    override = OVERRIDES.get((subject.row, column))
    return override[0] if override is not None else COLUMNS[column][1]


def cells() -> list[Any]:
    found = []
    for subject in SUBJECTS:
        for column in COLUMNS:
            if not applies(subject, column):
                continue
            found.append(pytest.param(subject, column, id=f"{subject.row}-{column}"))
    return found


@pytest.mark.parametrize(("subject", "fault"), cells())
def test_aws_fault_cell(
    subject: Subject, fault: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    want = expected(subject, fault)
    with world(subject.family, monkeypatch, activated=subject.activated) as w:
        cell = Cell(subject, "Create", fault, w)
        got = play(cell, monkeypatch)
        verdict = "OK" if got == want and not cell.problems else "BAD"
        known = KNOWN_BAD.get((subject.row, fault))
        record_matrix_cell(
            request,
            subject.row,
            fault,
            f"{got}/{verdict}",
            column_order=ORDER[fault],
            table=TABLE,
        )
        problems = ([f"status {got} instead of {want}"] if got != want else []) + cell.problems
        if known is not None:
            symptom, why = known
            assert problems, f"the known bug is gone: remove {(subject.row, fault)} from KNOWN_BAD"
            others = [problem for problem in problems if not problem.startswith(symptom)]
            assert not others, f"problems besides the known {symptom}: {others}"
            pytest.xfail(f"{why}: {problems}")
        assert not problems, problems


def play(cell: Cell, monkeypatch: pytest.MonkeyPatch) -> str:
    """Play the cell's Create, the follow-up, and the checks; returns the Create's status."""
    w, subject, fault = cell.w, cell.subject, cell.fault
    props = subject.make_props(w)
    if fault == "deep-props":
        props = {**props, "Tags": _nested(DEPTH)}
    event = w.stack.event("Create", subject.type_name, "Thing", props)
    create_key = subject.fault_keys[0]
    calls_before = len(w.api.calls)
    with aws_calls() as calls:
        took = arm(cell, calls, create_key)
        if fault in ("url-down", "url-down-no-rule"):
            outcome = _deliver_after_outage(cell, event, calls)
        elif fault in ("crash-init", "oom-kill"):
            outcome = _die_and_answer(cell, event, create_key, monkeypatch)
        else:
            context = SLOW_CONTEXT if fault == "slow-drip" else None
            outcome = w.stack.run(event, context_seconds=context)
        w.api.faults.clear()
        _check_hit(cell, calls, took)
        if fault in API_ANSWERS:
            hit = any(call.key == create_key for call in w.api.calls_since(calls_before))
            cell.check(hit, f"the hostile answer to {create_key} was never sent")
        calls.heal()
    status = one_response(cell, outcome)
    _check_reason(cell, outcome, status)
    if fault == "slow-drip":  # the dripping answer's call has taken effect; let the server give up
        time.sleep(0.2)
    # A FAILED Create's rollback Delete carries the same properties (deep ones too): it must succeed.
    follow_up(cell, outcome, status, None)
    no_orphans(cell)
    _no_placeholder_secrets(cell)
    _secrets_watched(cell)
    return status


# -- faults ---------------------------------------------------------------------------------------------
AWS_FAULTS: dict[str, tuple[tuple[str, ...], float, Failure]] = {
    "ddb-throttled": (DYNAMODB_OPERATIONS, math.inf, THROTTLED_DDB),
    "putrule-fails": (("PutRule",), math.inf, EVENTS_ERROR),
    "sm-get-throttled": (("GetSecretValue",), math.inf, THROTTLED),
    "sm-get-timeout": (("GetSecretValue",), math.inf, TIMEOUT),
    "sm-describe-fails": (("DescribeSecret",), math.inf, SM_ERROR),
    "sm-create-fails": (("CreateSecret",), math.inf, SM_ERROR),
    "ssm-fails": (("GetParameter",), math.inf, SSM_ERROR),
    "cfn-throttled": (("DescribeStackResource",), 1, CFN_THROTTLED),
    "cfn-unavailable": (("DescribeStackResource",), math.inf, CFN_THROTTLED),
    "url-down-no-rule": (("PutRule",), math.inf, EVENTS_ERROR),
}
"""Columns of AWS faults: the operations that fail (the first must be met), how often, and how."""


def arm(cell: Cell, calls: AwsCalls, create_key: str) -> Callable[[], bool] | None:
    """Arm the cell's fault; for ``ddb-error-after-call``, returns whether the create call took."""
    w, fault = cell.w, cell.fault
    if fault in AWS_FAULTS:
        operations, times, failure = AWS_FAULTS[fault]
        for operation in operations:
            calls.fail(operation, times, failure)
    elif fault == "ddb-error-after-call":
        took = _api_took(cell, create_key)
        for operation in DYNAMODB_OPERATIONS:
            calls.fail(operation, took, DDB_ERROR)
        return took
    elif fault == "gzip-bomb":
        w.api.faults.add(create_key, answer=_gzip_bomb(), headers={"Content-Encoding": "gzip"}, times=1)
    elif fault == "slow-drip":
        w.api.faults.add(create_key, drip=DRIP_SECONDS, times=1)
    elif fault == "deep-answer":
        deep = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
        w.api.faults.add(create_key, answer=deep, headers={"Content-Type": "application/json"}, times=1)
    return None


def _api_took(cell: Cell, create_key: str) -> Callable[[], bool]:
    """True once the API has answered the create call (its object exists)."""
    w = cell.w
    before = len(w.api.calls)

    def took() -> bool:
        return any(c.key == create_key and 200 <= c.status < 300 for c in w.api.calls_since(before))

    return took


def _check_hit(cell: Cell, calls: AwsCalls, took: Callable[[], bool] | None) -> None:
    """The armed AWS fault was met (a cell whose fault is never hit proves nothing)."""
    wanted = AWS_FAULTS[cell.fault][0][0] if cell.fault in AWS_FAULTS else None
    if wanted is not None:
        cell.check(bool(calls.named(wanted)), f"no {wanted} call met the fault")
    if took is not None:
        cell.check(took(), "the create call never took effect")


def _check_reason(cell: Cell, outcome: Outcome, status: str) -> None:
    word = REASON.get((cell.subject.row, cell.fault), REASON.get(cell.fault))
    if status != F or word is None or not outcome.responses:
        return
    reason = str(outcome.responses[0].body.get("Reason") or "")
    cell.check(word in reason.lower(), f"the reason does not say what happened ({word!r}): {reason}")


# -- the ResponseURL down: kept, re-sent once it is back -------------------------------------------------
def _deliver_after_outage(cell: Cell, event: dict[str, Any], calls: AwsCalls) -> Outcome:
    from cbprovider.runtime.delivery import answer_key

    w = cell.w
    path = w.receiver.path_for(event["RequestId"])
    w.receiver.faults.add(path, status=500, times=None)
    kept = answer_key(event)
    retries: list[dict[str, Any]] = []
    _invoke_async(w, event, retries)
    invocations = 1
    for _ in range(50):  # a long operation answers from a poll
        if _state_has(kept):
            break
        polls = w.stack.pending_polls()
        if not polls:
            break
        for poll in polls:
            _invoke_async(w, poll, retries)
            invocations += 1
    cell.check(_state_has(kept), "the undelivered answer was not kept")
    for poll in w.stack.pending_polls():  # the rule fires while the URL still fails: kept again
        _invoke_async(w, poll, retries)
    cell.check(not w.receiver.responses_for(event["RequestId"]), "delivered while the URL failed")
    w.receiver.faults.clear()
    calls.heal()
    for record in retries[:CRASH_RETRIES]:  # Lambda retries the destination that failed
        _destination(record, [])
    for _ in range(5):
        polls = w.stack.pending_polls()
        if not polls or w.receiver.responses_for(event["RequestId"]):
            break
        for poll in polls:
            _invoke_async(w, poll, retries)
            invocations += 1
    cell.check(not _state_has(kept), "an answer is still kept after the outage")
    return _outcome(w, event, invocations)


CRASH_RETRIES = 2
"""The crash answerer's ``MaximumRetryAttempts`` in template.yaml."""


def _invoke_async(w: World, event: dict[str, Any], retries: list[dict[str, Any]]) -> None:
    """One asynchronous invocation as Lambda makes it: if the handler ends in error, the on-failure
    destination gets its record (and if that fails, Lambda retries the destination later)."""
    try:
        w.stack.invoke(event)
    except Exception as error:
        record = {
            "version": "1.0",
            "requestContext": {
                "requestId": "dead",
                "functionArn": f"{FUNCTION_ARN}:$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": 1,
            },
            "requestPayload": event,
            "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
            "responsePayload": {"errorType": type(error).__name__},
        }
        _destination(record, retries)


def _destination(record: dict[str, Any], retries: list[dict[str, Any]]) -> None:
    from cbprovider.runtime import crash

    crash._answerer = None  # made afresh with this cell's AWS
    try:
        crash.handler(record, LambdaContext(seconds=30))
    except Exception:
        retries.append(record)


def _state_has(key: str) -> bool:
    import boto3

    item = boto3.client("dynamodb").get_item(TableName="provider-state", Key={"id": {"S": key}})
    return "Item" in item


def _outcome(w: World, event: dict[str, Any], invocations: int) -> Outcome:
    responses: list[CapturedResponse] = list(w.receiver.responses_for(event["RequestId"]))
    w.stack.play.after(event, responses[0].body if responses else None)
    return Outcome(event, responses, invocations)


# -- invocations that die: the on-failure destination answers ---------------------------------------------
def _die_and_answer(
    cell: Cell, event: dict[str, Any], create_key: str, monkeypatch: pytest.MonkeyPatch
) -> Outcome:
    w = cell.w
    monkeypatch.setattr("cbprovider.runtime.crash._answerer", None)
    crash = "init-error" if cell.fault == "crash-init" else "killed-after-call"
    death = killed_after_call(
        w.stack, event, function=FUNCTIONS[cell.subject.family], operation=create_key, crash=crash
    )
    cell.check(death.died, "the invocation did not die")
    # The function's own log lines, where the secret-leak check reads them (captured output).
    print(death.output)
    if cell.fault == "oom-kill":
        hit = any(c.key == create_key for c in w.api.calls)
        cell.check(hit, f"the function died before {create_key}")
    return death.outcome


# -- helpers --------------------------------------------------------------------------------------------
def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"Key": "deep"}
    for _ in range(depth):
        value = {"Inner": value}
    return value


_BOMB: list[bytes] = []


def _gzip_bomb() -> bytes:
    """About 300 KiB of gzip that expands to 300 MiB of zeros (made once per process)."""
    import zlib

    if not _BOMB:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        zeros = bytes(1 << 20)
        _BOMB.append(b"".join(packer.compress(zeros) for _ in range(300)) + packer.flush())
    return _BOMB[0]


def _no_placeholder_secrets(cell: Cell) -> None:
    """No provider-owned secret is left holding only the placeholder written before the keys came."""
    from cbprovider.resources.keys_secret import PLACEHOLDER

    for arn in cell.w.owned_secrets():
        value = cell.w.sm.get_secret_value(SecretId=arn)["SecretString"]
        cell.check(json.loads(value) != PLACEHOLDER, f"an owned secret holds only its placeholder: {arn}")


def _secrets_watched(cell: Cell) -> None:
    """Every secret value of the cell (property secrets, endpoint credentials, issued keys) is one the
    secret-leak check looks for in the cell's output."""
    from tests.leak_secrets import LEDGER, values_of_secret_string

    watched = LEDGER.values()
    for page in cell.w.sm.get_paginator("list_secrets").paginate():
        for entry in page.get("SecretList", []):
            value = cell.w.sm.get_secret_value(SecretId=entry["ARN"])["SecretString"]
            missing = values_of_secret_string(value) - watched
            cell.check(not missing, f"{entry['Name']} holds values the secret-leak check does not know")
