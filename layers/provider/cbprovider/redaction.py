"""Keeping secrets out of text that leaves the process: logs, reasons, exception messages.

Two mechanisms, applied together by ``scrub``:

- **Known values.** Every secret value read during an invocation is registered with ``remember_secret``
  (the secret readers do it); ``scrub`` replaces each occurrence of a registered value, raw or as it looks
  inside a JSON string, whatever surrounds it. Values shorter than ``MIN_SECRET_LENGTH`` are not
  registered: they would mask ordinary words everywhere.
- **Assignments.** ``Password=...``, ``"token": "..."`` and the like are masked with connection-string
  semantics: an unquoted value runs to the next ``;`` (or the end of the line), so
  ``Password=correct horse battery staple;`` and ``Pwd=Tr0ub4dor&3`` are masked whole; a value in double
  or single quotes or in ``{braces}`` (ODBC) is masked up to its closing quote or brace, ``;`` included.

This module imports nothing heavy: the automation functions and ``cbctl`` use it without the
custom-resource runtime.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "***"
MIN_SECRET_LENGTH = 8
MAX_REMEMBERED = 512
"""The registry forgets its oldest values past this many (a long-lived process reads few secrets)."""
MAX_DEPTH = 32
"""Nested values deeper than this are replaced by ``TOO_DEEP`` when a structure is scrubbed or redacted."""
TOO_DEEP = "***(nested too deeply)"

_SECRET_WORDS = (
    "password",
    "passwd",
    "secret",
    "privatekey",
    "apikey",
    "token",
    "connectionstring",
    "authorization",
    "signature",
    "credential",
)


def looks_secret(name: str) -> bool:
    """True for a property name whose value is probably a secret (Password, SecretKey, PrivateKey, ...).

    Names ending in ``Arn`` or ``Id`` only point at or name something (``SourceSecretArn``,
    ``AccessKeyId``) and are kept; so is ``ServiceToken``, the provider function's ARN.
    """
    lowered = name.replace("-", "").replace("_", "").lower()
    if lowered == "servicetoken" or lowered.endswith(("arn", "id")):
        return False
    return any(word in lowered for word in _SECRET_WORDS)


# -- the registry of known secret values ------------------------------------------------------------------
_lock = threading.Lock()
_known: dict[str, None] = {}
"""Insertion-ordered set of the registered values and their JSON-escaped forms, longest masked first."""
_ordered: tuple[str, ...] = ()


def remember_secret(value: object) -> None:
    """Register ``value`` (a string of at least ``MIN_SECRET_LENGTH`` characters; others are ignored)."""
    if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH:
        return
    global _ordered
    forms = {value, json.dumps(value)[1:-1]}
    with _lock:
        for form in forms:
            _known.pop(form, None)
            _known[form] = None
        while len(_known) > MAX_REMEMBERED:
            del _known[next(iter(_known))]
        _ordered = tuple(sorted(_known, key=len, reverse=True))


def remember_secrets_in(value: object, *, secret: bool = False, _depth: int = 0) -> None:
    """Register the secret values of a secret's JSON: strings under secret-looking names, at any depth.

    ``secret=True`` registers every string in ``value`` (a value that is secret as a whole).
    """
    if _depth > MAX_DEPTH:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            remember_secrets_in(item, secret=secret or looks_secret(str(key)), _depth=_depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            remember_secrets_in(item, secret=secret, _depth=_depth + 1)
    elif secret:
        remember_secret(value)


def forget_all_secrets() -> None:
    """Empty the registry (tests)."""
    global _ordered
    with _lock:
        _known.clear()
        _ordered = ()


def mask_known(text: str) -> str:
    """``text`` with every registered secret value replaced by ``***``."""
    for value in _ordered:
        if value in text:
            text = text.replace(value, REDACTED)
    return text


# -- assignments ------------------------------------------------------------------------------------------
_PRESIGNED = re.compile(r"(X-Amz-[A-Za-z-]+=)[^&\s'\"]+", re.IGNORECASE)
_NAMES = (
    r"password|passwd|pwd|secret[a-z_]*key|privatekey|private_key|apikey|api_key|token"
    r"|client_secret"
)
_ASSIGNMENT = re.compile(
    r"(?P<name>(?:" + _NAMES + r")['\"]?\s*[:=]\s*)"
    r"(?P<value>\"(?:[^\"\\]|\\.|\"\")*\"?"  # "a;b" (also JSON-escaped quotes; an unclosed one runs on)
    r"|'(?:[^'\\]|\\.|'')*'?"  # 'a;b'
    r"|\{(?:[^}]|\}\})*\}?"  # {a;b} (ODBC)
    r"|[^;\r\n]*)",  # up to the next unquoted ;
    re.IGNORECASE,
)


def _mask_assignment(match: re.Match[str]) -> str:
    value = match.group("value")
    if not value.strip() or value.strip() == REDACTED:
        return match.group(0)
    # Keep the quotes or braces, so that the text around stays readable (and a JSON string stays closed).
    opener = value[:1] if value[:1] in "\"'{" else ""
    closer = {'"': '"', "'": "'", "{": "}"}.get(opener, "")
    if closer and not (len(value) > 1 and value.endswith(closer)):
        closer = ""
    return f"{match.group('name')}{opener}{REDACTED}{closer}"


def scrub(text: str) -> str:
    """``text`` without registered secrets, presigned-URL signatures or secret-looking assignments."""
    text = mask_known(text)
    text = _PRESIGNED.sub(r"\1***", text)
    return _ASSIGNMENT.sub(_mask_assignment, text)


def scrub_value(value: Any, _depth: int = 0) -> Any:
    """A copy of ``value`` (dicts, lists, strings) with every string scrubbed; deep parts cut off."""
    if _depth > MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {str(k): scrub_value(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(v, _depth + 1) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    # Anything else would be serialised with str() (an exception, an object): scrub that text.
    return scrub(str(value))


# -- loggers ----------------------------------------------------------------------------------------------
NOISY_LOGGERS = ("boto3", "botocore", "urllib3", "requests", "s3transfer")
"""At DEBUG these log request parameters and bodies (``GetSecretValue``'s answer, the poll state with the
presigned ResponseURL) and full URLs."""


def pin_noisy_loggers(names: Iterable[str] = NOISY_LOGGERS) -> None:
    """Hold the AWS SDK and HTTP loggers at WARNING or above, whatever LOG_LEVEL says."""
    import logging

    for name in names:
        target = logging.getLogger(name)
        if target.level < logging.WARNING:
            target.setLevel(logging.WARNING)


_factory_installed = False


def scrub_every_record() -> None:
    """Scrub the message of every stdlib log record as it is created (records of loggers other than the
    service's JSON one, e.g. ``cbprovider.automation.monitor``, reach the Lambda runtime's plain handler)."""
    import logging

    global _factory_installed
    with _lock:
        if _factory_installed:
            return
        _factory_installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if not isinstance(record.msg, str):
            return record  # a dict message is scrubbed by the JSON formatter (``cbprovider.jsonlog``)
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string: leave it to the handler to report
            return record
        record.msg, record.args = scrub(message), ()
        return record

    logging.setLogRecordFactory(factory)
