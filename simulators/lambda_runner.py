"""Play Lambda's asynchronous invoke: a handler in its own process, killed at its timeout, and the
on-failure destination given the record Lambda would send when the invocation fails.

``run_async(handler_file, event, seconds=..., env=...)`` starts a fresh Python process (a new Lambda
container) that imports ``handler_file``'s ``lambda_handler`` and calls it with ``event`` and a context of
``seconds``. The process is killed when ``seconds`` pass, as Lambda does. A process that ends with an
error (at import or in the handler), is killed by a signal (the runtime's out-of-memory kill) or times
out is a failed invocation: ``destination_record`` builds the record Lambda hands the on-failure
destination. AWS in the child must be a server (``moto.server.ThreadedMotoServer``): in-process moto
does not cross processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_CHILD = """
import importlib.util, json, sys, time
from simulators.stack import LambdaContext
started = time.monotonic()
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
try:
    spec.loader.exec_module(module)
except Exception as error:
    print(json.dumps({"errorType": "Runtime.ImportModuleError", "errorMessage": type(error).__name__}))
    sys.exit(1)
seconds = float(sys.argv[2]) - (time.monotonic() - started)
try:
    module.lambda_handler(json.loads(sys.stdin.read()), LambdaContext(seconds=seconds))
except Exception as error:
    print(json.dumps({"errorType": type(error).__name__, "errorMessage": "unhandled"}))
    sys.exit(1)
"""


@dataclass(frozen=True)
class AsyncInvocation:
    """How one asynchronous invocation ended."""

    event: Mapping[str, Any]
    error_type: str | None
    """``None`` when the handler returned; else Lambda's error type."""
    seconds: float
    output: str = ""
    """What the function printed (its log lines), for a test to look through."""

    @property
    def failed(self) -> bool:
        return self.error_type is not None


def run_async(
    handler_file: Path, event: Mapping[str, Any], *, seconds: float, env: Mapping[str, str]
) -> AsyncInvocation:
    """One asynchronous invocation of ``handler_file`` in its own process (see the module docstring)."""
    root = Path(__file__).resolve().parents[1]
    child_env = {
        **os.environ,
        **env,
        "PYTHONPATH": os.pathsep.join([str(root / "layers" / "provider"), str(root)]),
    }
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and handler file)
        [sys.executable, "-c", _CHILD, str(handler_file), str(seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=child_env,
        text=True,
    )
    try:
        out, _ = process.communicate(json.dumps(dict(event)), timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
        return AsyncInvocation(event, "Sandbox.Timedout", time.monotonic() - started, out or "")
    took = time.monotonic() - started
    if process.returncode == 0:
        return AsyncInvocation(event, None, took, out)
    if process.returncode < 0:
        return AsyncInvocation(event, "Runtime.ExitError", took, out)
    lines = [line for line in out.splitlines() if line.startswith('{"errorType"')]
    error_type = json.loads(lines[-1])["errorType"] if lines else "Runtime.ExitError"
    return AsyncInvocation(event, str(error_type), took, out)


def destination_record(invocation: AsyncInvocation, function_arn: str) -> dict[str, Any]:
    """The record Lambda sends an on-failure destination for ``invocation`` (no retries configured)."""
    return {
        "version": "1.0",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "requestContext": {
            "requestId": "00000000-0000-4000-8000-000000000000",
            "functionArn": f"{function_arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 1,
        },
        "requestPayload": dict(invocation.event),
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorType": invocation.error_type, "errorMessage": "(not kept)"},
    }
