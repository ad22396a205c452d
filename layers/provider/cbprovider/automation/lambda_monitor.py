"""Lambda entry point of a single-function monitor pass over every endpoint (see
``cbprovider.automation.monitor``); the template schedules the fanned-out run instead
(``lambda_dispatch``, ``lambda_worker``), and this pass remains for one-off checks and small fleets.

Settings come from the environment (``cbprovider.automation.settings``). Metrics go to stdout as EMF
(namespace ``POWERTOOLS_METRICS_NAMESPACE``, default ``CfnReplicationProvider``), the summary to the log as
one line; the return value is the full report as JSON-able data.
"""

from __future__ import annotations

import os
from typing import Any

from cbprovider.automation.lambda_context import deadline_from_context
from cbprovider.automation.log import logger
from cbprovider.automation.metrics import DEFAULT_NAMESPACE, publish
from cbprovider.automation.monitor import Monitor
from cbprovider.automation.settings import settings_from_env


def handle(event: Any, context: Any) -> dict[str, Any]:
    settings = settings_from_env(os.environ)
    deadline = deadline_from_context(context)
    report = Monitor(settings).run(deadline)
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE
    publish(report, namespace=namespace, item_metrics=settings.item_metrics)
    log = logger.info if report.healthy else logger.warning
    log(report.summary_line(), extra={"counts": report.counts(), "deadline_reached": report.deadline_reached})
    return report.to_dict()
