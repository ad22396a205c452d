"""Where a secret could show up during a test: log records, CloudFormation responses, captured output.

- Log records: a handler on the root logger and on every logger that does not propagate,
  attached before each test phase; a record is kept as its message, its ``extra``
  values and its exception text, unformatted (what any formatter could print).
- CloudFormation responses: the raw bodies every ``ResponseReceiver`` started in the test captured (the
  receivers are found through the simulators the secret ledger saw start).
- Printed output: the report's captured stdout/stderr/log sections (the JSON log and EMF lines go to stdout);
  what a test reads through ``capsys``/``capfd`` (``CaptureFixture.readouterr`` is wrapped to keep a
  copy, the test still gets its result); and with ``-s`` (no capture) a tee on ``sys.stdout``/``stderr``.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
from collections.abc import Iterator
from typing import Any, TextIO

import pytest

_STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class RecordingHandler(logging.Handler):
    """Keeps the text of every record it sees (level NOTSET: the loggers' own levels decide)."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self._texts: list[str] = []
        self._text_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            parts = [record.getMessage()]
        except Exception:
            parts = [str(record.msg), repr(record.args)]
        parts.extend(repr(v) for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS)
        if record.exc_info and record.exc_info[1] is not None:
            parts.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        with self._text_lock:
            self._texts.append(f"{record.name}: " + " ".join(parts))

    def drain(self) -> list[str]:
        with self._text_lock:
            texts, self._texts = self._texts, []
        return texts


HANDLER = RecordingHandler()


def attach() -> None:
    """Put the handler on the root logger and on every non-propagating logger that exists now."""
    loggers = [logging.getLogger()]
    for item in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(item, logging.Logger) and not item.propagate:
            loggers.append(item)
    for logger in loggers:
        if HANDLER not in logger.handlers:
            logger.addHandler(HANDLER)


def response_bodies(simulators: list[Any]) -> Iterator[tuple[str, str]]:
    """``(request id, raw body)`` of every response the receivers among ``simulators`` captured."""
    for simulator in simulators:
        for captured in list(getattr(simulator, "responses", ()) or ()):
            raw = getattr(captured, "raw", None)
            if isinstance(raw, bytes):
                yield str(getattr(captured, "request_id", "?")), raw.decode("utf-8", errors="replace")


class TextLedger:
    """Text seen on a channel since the last ``drain`` (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._texts: list[str] = []

    def add(self, text: str) -> None:
        if text:
            with self._lock:
                self._texts.append(text)

    def drain(self) -> str:
        with self._lock:
            texts, self._texts = self._texts, []
        return "".join(texts)


READ_BY_TESTS = TextLedger()
"""What tests read through ``capsys``/``capfd``."""
PRINTED = TextLedger()
"""What was printed while capture was off (``-s``)."""


def wrap_capture_fixture() -> None:
    """Keep a copy of what ``capsys``/``capfd`` hand to tests (the tests get the same result)."""
    original = pytest.CaptureFixture.readouterr
    if getattr(original, "_leak_copy", False):
        return

    @functools.wraps(original)
    def readouterr(self: Any) -> Any:
        result = original(self)
        for part in (result.out, result.err):
            READ_BY_TESTS.add(part.decode("utf-8", "replace") if isinstance(part, bytes) else str(part))
        return result

    readouterr._leak_copy = True  # type: ignore[attr-defined]
    pytest.CaptureFixture.readouterr = readouterr  # type: ignore[method-assign]


class Tee:
    """A text stream that writes through to ``stream`` and keeps a copy in ``PRINTED``."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        PRINTED.add(text)
        return self.stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def tee_standard_streams() -> None:
    """Used only when pytest does not capture (``-s``): copy what is printed."""
    if not isinstance(sys.stdout, Tee):
        sys.stdout = Tee(sys.stdout)
    if not isinstance(sys.stderr, Tee):
        sys.stderr = Tee(sys.stderr)
