"""The functions' one logger: stdlib ``logging``, one JSON line per record, every string scrubbed.

Each line has the keys the Powertools formatter used before (log queries and metric filters keep working):
``level``, ``location`` (``function:line``), ``message``, ``timestamp`` (``2024-05-01 12:00:00,123+0000``),
``service``, the keys appended for the request being worked on (``append_keys``), the record's ``extra``
values, then ``exception``/``exception_name`` when it carries one and ``xray_trace_id`` under X-Ray. Keys
whose value is ``None`` are left out. Every string of the line is scrubbed (``cbprovider.redaction``)
before it is serialised.

Powertools is not used for this: importing its package loads its Logger, Metrics, jmespath and
typing_extensions, a tenth of a provider's cold start, for what this module does with the standard library.

The level is ``LOG_LEVEL`` (else ``POWERTOOLS_LOG_LEVEL``, else INFO). Records go to stdout through the
service logger's own handler and still propagate (pytest's ``caplog`` sees them); the root logger's handlers
that exist when the logger is made (the Lambda runtime's) skip them, so that no line is written twice.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterable, Mapping
from typing import Any

from cbprovider.redaction import pin_noisy_loggers, scrub_every_record, scrub_value

SERVICE_ENV = "POWERTOOLS_SERVICE_NAME"
DEFAULT_SERVICE = "cfn-replication-provider"
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
"""What every ``LogRecord`` has; anything else on a record came from ``extra``."""


class JsonFormatter(logging.Formatter):
    """One scrubbed JSON object per record, with the service name and the appended keys."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        self._keys: dict[str, Any] = {}

    def append_keys(self, **keys: Any) -> None:
        self._keys.update(keys)

    def remove_keys(self, names: Iterable[str]) -> None:
        for name in names:
            self._keys.pop(name, None)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = time.localtime(record.created)
        return time.strftime(f"%Y-%m-%d %H:%M:%S,{int(record.msecs):03d}%z", moment)

    def format(self, record: logging.LogRecord) -> str:
        message: Any = record.msg
        if record.args or not isinstance(message, Mapping):
            message = record.getMessage()
        line: dict[str, Any] = {
            "level": record.levelname,
            "location": f"{record.funcName}:{record.lineno}",
            "message": message,
            "timestamp": self.formatTime(record),
            "service": self.service,
            **self._keys,
        }
        line.update((k, v) for k, v in record.__dict__.items() if k not in _RECORD_ATTRIBUTES)
        if record.exc_info and record.exc_info[0] is not None:
            line.setdefault("exception", self.formatException(record.exc_info))
            line.setdefault("exception_name", record.exc_info[0].__name__)
        trace = os.environ.get("_X_AMZN_TRACE_ID")
        if trace:
            line["xray_trace_id"] = trace.split(";")[0].replace("Root=", "")
        kept = {k: v for k, v in line.items() if v is not None}
        return json.dumps(scrub_value(kept), default=str, separators=(",", ":"), ensure_ascii=False)


class ServiceLogger:
    """The stdlib logger named after the service, with its JSON handler on stdout.

    Its methods are the stdlib ones (``logger.info("text", extra={...})``); ``append_keys`` and
    ``remove_keys`` add keys to every line that follows (the request ids the runtime works under).
    """

    def __init__(self, service: str, level: str | int) -> None:
        self.service = service
        self.registered_formatter = JsonFormatter(service)
        self._logger = logging.getLogger(service)
        self.setLevel(level)
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(self.registered_formatter)
        self._logger.addHandler(handler)
        for root_handler in logging.getLogger().handlers:
            if type(root_handler).__module__ != "_pytest.logging":
                root_handler.addFilter(_NotFrom(service))

    @property
    def log_level(self) -> int:
        return self._logger.level

    def setLevel(self, level: str | int) -> None:
        self._logger.setLevel(level.upper() if isinstance(level, str) else level)

    def append_keys(self, **keys: Any) -> None:
        self.registered_formatter.append_keys(**keys)

    def remove_keys(self, names: Iterable[str]) -> None:
        self.registered_formatter.remove_keys(names)

    def debug(self, msg: object, *args: object, **kwargs: Any) -> None:
        self._logger.debug(msg, *args, stacklevel=2, **kwargs)

    def info(self, msg: object, *args: object, **kwargs: Any) -> None:
        self._logger.info(msg, *args, stacklevel=2, **kwargs)

    def warning(self, msg: object, *args: object, **kwargs: Any) -> None:
        self._logger.warning(msg, *args, stacklevel=2, **kwargs)

    def error(self, msg: object, *args: object, **kwargs: Any) -> None:
        self._logger.error(msg, *args, stacklevel=2, **kwargs)

    def exception(self, msg: object, *args: object, **kwargs: Any) -> None:
        self._logger.exception(msg, *args, stacklevel=2, **kwargs)


class _NotFrom(logging.Filter):
    """Lets through every record except those of the service logger (which writes its own lines)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == self._service or record.name.startswith(self._service + "."))


logger = ServiceLogger(
    os.environ.get(SERVICE_ENV) or DEFAULT_SERVICE,
    os.environ.get("LOG_LEVEL") or os.environ.get("POWERTOOLS_LOG_LEVEL") or "INFO",
)

# At DEBUG, botocore logs request parameters and answers (the poll state, GetSecretValue) and urllib3
# logs full URLs: keep them quiet whatever LOG_LEVEL says, as crhelper's boto_level does.
pin_noisy_loggers()
scrub_every_record()
