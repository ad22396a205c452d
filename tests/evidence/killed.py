"""An invocation killed right after the API answered one of its calls, then answered as Lambda would.

The provider function runs in its own process (``dying_function``), which is killed (``SIGKILL``, as the
Lambda runtime kills a function that runs out of memory) right after the API answered ``operation``:
nothing after the call runs, the answer is never read. Lambda then hands the on-failure destination
(``cbprovider.runtime.crash``) its record; a create that was in flight is handed to the type's poll,
whose rule this plays at once, as EventBridge would a minute apart.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.stack import FUNCTION_ARN, LambdaContext, LocalStack, Outcome

DYING = Path(__file__).with_name("dying_function.py")
MAX_POLLS = 20


@dataclass(frozen=True)
class Death:
    """What a killed invocation came to."""

    outcome: Outcome
    died: bool
    """Whether the invocation did die (a test that meant to kill it proves nothing otherwise)."""
    output: str
    """The function's own log lines (print them where the secret-leak check reads them)."""


@contextmanager
def served_aws() -> Iterator[dict[str, str]]:
    """moto as a server sharing this process's backends, for the function's own process."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield {"AWS_ENDPOINT_URL": f"http://{host}:{port}"}
    finally:
        server.stop()


def killed_after_call(
    stack: LocalStack,
    event: Mapping[str, Any],
    *,
    function: str,
    operation: str,
    crash: str = "killed-after-call",
) -> Death:
    """Run ``event`` in ``function`` (``functions/<name>/app.py``) dying as ``crash`` says (after
    ``operation``; ``init-error``: at init), answered through the on-failure destination and the polls it
    schedules."""
    from cbprovider.runtime import crash as destination

    from simulators.lambda_runner import destination_record, run_async

    destination._answerer = None  # made afresh with this test's AWS
    crash_env = {"DYING_FUNCTION": function, "CRASH": crash, "CRASH_OPERATION": operation}
    stack.play.before(event)
    with served_aws() as endpoint:
        invocation = run_async(DYING, event, seconds=30.0, env={**os.environ, **endpoint, **crash_env})
    destination.handler(destination_record(invocation, FUNCTION_ARN), LambdaContext(seconds=30))
    invocations = 1
    request_id = event["RequestId"]
    for _ in range(MAX_POLLS):
        polls = stack.pending_polls()
        if not polls or stack.receiver.responses_for(request_id):
            break
        for poll in polls:
            stack.invoke(poll)
            invocations += 1
    responses = list(stack.receiver.responses_for(request_id))
    stack.play.after(event, responses[0].body if responses else None)
    return Death(Outcome(dict(event), responses, invocations), invocation.failed, invocation.output)


def killed_create(
    stack: LocalStack,
    resource_type: str,
    logical_id: str,
    properties: Mapping[str, Any],
    *,
    function: str,
    operation: str,
) -> Outcome:
    """A Create whose invocation is killed right after ``operation`` answered (``killed_after_call``; the
    death is asserted), its log lines printed where the secret-leak check reads them."""
    event = stack.event("Create", resource_type, logical_id, properties)
    death = killed_after_call(stack, event, function=function, operation=operation)
    print(death.output)
    assert death.died, "the invocation did not die"
    return death.outcome
