"""What the Capella v3 and v4 clients share: one JSON request, and every item of a paged list.

Both send ``Accept: application/json`` requests under their base URL, retried freely only for the
idempotent methods (creates only where the server cannot have acted, see
``Transport.send(idempotent=False)``), and turn a non-2xx answer into their API's ``ApiError``. They
differ in how they authenticate (``_auth``: v3 signs, v4 sends a paced bearer token) and read errors
(``_api_error``), and in where a list ends (``pages(more_after=...)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from cbprovider.api_client import ApiClient
from cbprovider.capella.responses import format_error
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiError
from cbprovider.http_message import Request, Response, Signer, json_request

if TYPE_CHECKING:
    from cbprovider.capella.pagination import Page

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
Params = Mapping[str, Any] | Sequence[tuple[str, Any]]


def param_pairs(params: Params | None) -> list[tuple[str, Any]]:
    if params is None:
        return []
    return list(params.items()) if isinstance(params, Mapping) else list(params)


def with_query(url: str, params: Params | None) -> str:
    """``url`` with ``params`` appended to its query (``None`` values left out, sequences repeated)."""
    pairs: list[tuple[str, Any]] = []
    for key, value in param_pairs(params):
        values = [value] if isinstance(value, str | bytes) or not hasattr(value, "__iter__") else value
        pairs.extend((key, item) for item in values if item is not None)
    if not pairs:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(pairs, doseq=True)}"


class CapellaRestClient(ApiClient):
    """Base of the Capella clients: ``request`` and ``pages``."""

    deadline: Deadline | None = None
    """Bounds every call of the client (a call's own deadline may only end it sooner); ``None``: none."""

    def _auth(self, deadline: Deadline | None) -> Signer | None:
        """What authenticates a request sent within ``deadline``."""
        raise NotImplementedError

    def _api_error(self, response: Response, operation: str) -> ApiError:
        """The ``ApiError`` of a non-2xx answer."""
        raise NotImplementedError

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        deadline: Deadline | None = None,
        operation: str | None = None,
        idempotent: bool | None = None,
    ) -> Response:
        """Send one request; return the 2xx response or raise ``ApiError``.

        ``path`` starts with ``/`` and may carry a query string. ``idempotent`` (default: true for every
        method but POST and PATCH) decides whether failed attempts are retried freely or only where the
        server cannot have acted (see ``Transport.send(idempotent=False)``).
        """
        method = method.upper()
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        operation = operation or f"{method} {urlsplit(path).path}"
        bound = (deadline or Deadline.never()).sooner(self.deadline)
        url = with_query(self.base_url + path, params)
        sent_headers = {"Accept": "application/json", **(headers or {})}
        auth = self._auth(bound)
        request = (
            Request(method, url, headers=sent_headers, auth=auth)
            if json is None
            else json_request(method, url, json, headers=sent_headers, auth=auth)
        )
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        response = self._transport.send(request, operation=operation, deadline=bound, idempotent=idempotent)
        if not 200 <= response.status_code < 300:
            raise self._api_error(response, operation)
        return response

    def _delete(self, template: str, path: str, deadline: Deadline | None) -> bool:
        """``True`` when deleted (or deletion started), ``False`` when it was already gone (404)."""
        try:
            self.request("DELETE", path, deadline=deadline, operation=f"DELETE {template}")
        except ApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True


def pages(
    read: Callable[[int], Page],
    *,
    more_after: Callable[[Page, int], bool],
    max_pages: int,
    operation: str,
) -> Iterator[Any]:
    """Every item of pages 1, 2, ... (``read(number)``) while ``more_after(page, number)``.

    Items whose ``id`` was already yielded (the list shifted between pages) are skipped. A cursor that
    promises pages without end is not followed forever: a page with nothing new ends the listing, and
    more than ``max_pages`` pages is a ``ResponseFormatError``.
    """
    seen: set[str] = set()
    number = 1
    while True:
        page = read(number)
        fresh = 0
        for item in page.items:
            key = item.get("id") if isinstance(item, Mapping) else None
            if isinstance(key, str):
                if key in seen:
                    continue
                seen.add(key)
            fresh += 1
            yield item
        if not more_after(page, number) or (number > 1 and fresh == 0):
            return
        if number >= max_pages:
            raise format_error(operation, f"the list did not end after {max_pages} pages")
        number += 1
