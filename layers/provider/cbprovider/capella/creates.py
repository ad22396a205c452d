"""Sending a create (POST) without ever repeating one the server may already have acted on.

Capella v3 has no idempotency keys, so a retried create can make a second project, cluster or user.
A create is therefore sent again only when the server cannot have acted on it:

- the connection was refused (nothing was delivered);
- the answer was 429 or 503, which say the request was not processed (RFC 9110 §15.6.4, RFC 6585 §4),
  honouring ``Retry-After``.

Timeouts, dropped connections and other 5xx answers are not retried: the request may have been carried
out. The caller should then look the object up by name before creating it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import requests

from cbprovider.deadline import Deadline
from cbprovider.errors import ApiConnectionError
from cbprovider.transport import Transport, retry_after_seconds

NOT_PROCESSED_STATUSES = frozenset({429, 503})
NOT_DELIVERED_REASON = "connection refused"
"""The reason ``Transport`` gives for a refused connection (the only error that proves non-delivery)."""


def send_create(
    transport: Transport,
    request: requests.Request,
    *,
    operation: str,
    deadline: Deadline | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> requests.Response:
    """Send ``request`` and retry it only where it cannot have taken effect; see the module docstring."""
    deadline = deadline or Deadline.never()
    policy = transport.policy
    attempt = 1
    while True:
        try:
            response = transport.send(request, operation=operation, deadline=deadline, retry=False)
        except ApiConnectionError as exc:
            if exc.reason != NOT_DELIVERED_REASON or attempt >= policy.max_attempts:
                raise
            wait = policy.backoff(attempt)
            if wait >= deadline.remaining():
                raise
        else:
            if response.status_code not in NOT_PROCESSED_STATUSES or attempt >= policy.max_attempts:
                return response
            hinted = retry_after_seconds(response)
            wait = hinted if hinted is not None else policy.backoff(attempt)
            if wait >= deadline.remaining():
                return response
            response.close()
        sleep(wait)
        attempt += 1
