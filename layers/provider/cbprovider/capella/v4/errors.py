"""Errors specific to the Capella Management API v4."""

from __future__ import annotations

from cbprovider.errors import ProviderError


class TokenFormatError(ProviderError):
    """A v4 credentials secret does not hold an API key token (the message never contains the value)."""


class ConcurrentChangeError(ProviderError):
    """An update lost the optimistic-concurrency race twice: someone else changed the object meanwhile.

    ``sent`` is the ``If-Match`` version of the last attempt; ``current``, ``changed_by`` and
    ``changed_at`` describe the object as read afterwards (empty when unknown).
    """

    def __init__(
        self,
        *,
        kind: str,
        object_id: str,
        sent: str,
        current: str,
        changed_by: str = "",
        changed_at: str = "",
    ) -> None:
        self.kind = kind
        self.object_id = object_id
        self.sent = sent
        self.current = current
        self.changed_by = changed_by
        self.changed_at = changed_at
        who = f" by {changed_by}" if changed_by else ""
        when = f" at {changed_at}" if changed_at else ""
        now = f"; it is now at {current!r}, last changed{who}{when}" if current else ""
        super().__init__(
            f"Capella {kind} {object_id} was changed by someone else while this update was applied "
            f"(HTTP 412 twice; the last attempt expected {sent!r}{now}); re-read it and try again"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.__dict__.copy(),))


def _rebuild(state: dict[str, str]) -> ConcurrentChangeError:
    return ConcurrentChangeError(**{k: v for k, v in state.items() if not k.startswith("_")})
