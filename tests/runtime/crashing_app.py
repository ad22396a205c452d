"""A provider function that dies the ways a Lambda invocation can (run by ``simulators.lambda_runner``).

``CRASH`` says how: ``init-error`` (the module fails to import), ``init-hang`` (the module takes longer
than the function's timeout to import), ``killed-after-create`` (the process is killed, as the runtime
kills a function out of memory, after the widget was created and claimed).
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

CRASH = os.environ.get("CRASH", "")
if CRASH == "init-error":
    raise RuntimeError("the function could not start")
if CRASH == "init-hang":
    time.sleep(120)

from cbprovider.runtime import Outcome, Provider, Request  # noqa: E402

from tests.runtime.widgets import TYPE_NAME, Widget, WidgetProperties  # noqa: E402


class DyingWidget(Widget):
    def create(self, req: Request[WidgetProperties]) -> Outcome:
        outcome = super().create(req)
        if CRASH == "killed-after-create":
            os.kill(os.getpid(), signal.SIGKILL)
        return outcome


lambda_handler: Any = Provider({TYPE_NAME: DyingWidget()})
