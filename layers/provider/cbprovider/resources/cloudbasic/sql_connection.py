"""SQL Server connection strings (the ``SqlConnectionStringBuilder`` syntax CloudBasic takes).

``key=value`` pairs separated by ``;``; keys are case-insensitive and may contain spaces; a value that
holds ``;``, starts with a quote or has surrounding blanks is quoted with ``"`` (or ``'`` when it holds
``"``; an embedded quote of the enclosing kind is doubled). ``build`` quotes exactly where needed, so a
password such as ``p;w"d`` survives the trip; ``parse`` reads the same syntax back.
"""

from __future__ import annotations

from collections.abc import Iterable

PASSWORD_KEYS = frozenset({"password", "pwd"})
SERVER_KEYS = ("data source", "server", "address", "addr", "network address")
DATABASE_KEYS = ("initial catalog", "database")
DEFAULT_PORT = 1433


class ConnectionStringError(ValueError):
    """The text is not a connection string (the message never repeats the text: it may hold a secret)."""


def quote(value: str) -> str:
    """``value`` as it must appear after ``key=``."""
    needs = value == "" or ";" in value or value != value.strip() or value[:1] in ("'", '"')
    if not needs:
        return value
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', '""') + '"'


def build(pairs: Iterable[tuple[str, str]]) -> str:
    """``Key=value;`` for each pair, values quoted where needed."""
    return "".join(f"{key}={quote(value)};" for key, value in pairs)


def parse(text: str, *, lenient: bool = False) -> list[tuple[str, str]]:
    """The ``(key, value)`` pairs in order; keys lower-cased with blanks collapsed.

    ``lenient`` returns the pairs read before the first syntax error instead of raising (for strings
    an appliance echoes back with the password masked, which can break the quoting after it).
    """
    pairs: list[tuple[str, str]] = []
    try:
        _read_pairs(text, pairs)
    except ConnectionStringError:
        if not lenient:
            raise
    return pairs


def _read_pairs(text: str, pairs: list[tuple[str, str]]) -> None:
    i, n = 0, len(text)
    while i < n:
        while i < n and (text[i].isspace() or text[i] == ";"):
            i += 1
        if i >= n:
            break
        eq = text.find("=", i)
        if eq < 0:
            raise ConnectionStringError("expected key=value pairs separated by ';'")
        key = " ".join(text[i:eq].lower().split())
        if not key:
            raise ConnectionStringError("a key is empty")
        i = eq + 1
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] in ("'", '"'):
            value, i = _quoted(text, i)
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] != ";":
                raise ConnectionStringError(f"unexpected text after the quoted value of {key!r}")
        else:
            end = text.find(";", i)
            end = n if end < 0 else end
            value, i = text[i:end].strip(), end
        pairs.append((key, value))


def _quoted(text: str, start: int) -> tuple[str, int]:
    mark, i, out = text[start], start + 1, []
    while i < len(text):
        if text[i] == mark:
            if i + 1 < len(text) and text[i + 1] == mark:
                out.append(mark)
                i += 2
                continue
            return "".join(out), i + 1
        out.append(text[i])
        i += 1
    raise ConnectionStringError("a quoted value is not closed")


def first(pairs: list[tuple[str, str]], keys: Iterable[str]) -> str | None:
    """The value of the first of ``keys`` present (the last occurrence wins, as in .NET)."""
    values = dict(pairs)
    for key in keys:
        if values.get(key):
            return values[key]
    return None


def server_identity(data_source: str) -> str:
    """``host,port`` lower-cased, protocol prefix dropped, default port made explicit."""
    text = data_source.strip().lower()
    for prefix in ("tcp:", "np:", "lpc:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    host, _, port = text.partition(",")
    return f"{host.strip()},{port.strip() or DEFAULT_PORT}"
