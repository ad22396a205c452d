"""What every API client shares: a checked base URL, one ``Transport`` to it, and ``close``/``with``.

The CloudBasic, Capella v3 and Capella v4 clients differ in how they sign, encode and page; they are
built alike: the base URL must be ``http(s)://host[:port]`` (any path is kept, a trailing ``/`` dropped),
requests go through one ``Transport`` bound to that origin on the process's shared session for it
(``cbprovider.sessions``), verified against ``ca_bundle`` or the default roots (never turned off), and
closing the client leaves the shared session open for the next one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

from cbprovider.transport import RetryPolicy, Timeouts, Transport


class ApiClient:
    """Base of the API clients: ``base_url``, the transport, and ``close`` (also on leaving ``with``).

    ``api`` names the API in the error for a bad URL (``CloudBasic``), ``service`` in every error the
    transport raises. ``sleep`` is the pause between retries (and the clients' polls).
    """

    def __init__(
        self,
        base_url: str,
        *,
        api: str,
        service: str,
        timeouts: Timeouts | None,
        retry: RetryPolicy | None,
        ca_bundle: str | None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{api} API URL must be http(s)://host[:port], got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._sleep = sleep
        self._transport = Transport(
            service=service,
            origin=self.base_url,
            policy=retry,
            timeouts=timeouts,
            verify=ca_bundle or True,
            sleep=sleep,
        )

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
