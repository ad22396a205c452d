"""A provider function that dies the ways a Lambda invocation can, run by ``simulators.lambda_runner``.

``DYING_FUNCTION`` names the function (``functions/<name>/app.py``); ``CRASH`` says how it dies:

- ``init-error``: the module fails to import (a broken deployment, a missing layer);
- ``killed-after-call``: the process is killed, as the Lambda runtime kills a function that runs out of
  memory, right after the API answered the call ``CRASH_OPERATION`` (``CreateReplication``,
  ``POST /v3/clusters``...), before the answer is read: the object exists, the function never knew.
"""

from __future__ import annotations

import os
import signal
from typing import Any

CRASH = os.environ.get("CRASH", "")
if CRASH == "init-error":
    raise RuntimeError("the function could not start")

from cbprovider import transport  # noqa: E402

from simulators.stack import load_handler  # noqa: E402

if CRASH == "killed-after-call":
    _send = transport.Transport.send
    _operation = os.environ["CRASH_OPERATION"]

    def _send_then_die(self: transport.Transport, request: Any, *, operation: str, **options: Any) -> Any:
        response = _send(self, request, operation=operation, **options)
        if operation == _operation:
            os.kill(os.getpid(), signal.SIGKILL)
        return response

    transport.Transport.send = _send_then_die  # type: ignore[method-assign]

lambda_handler: Any = load_handler(os.environ["DYING_FUNCTION"])
