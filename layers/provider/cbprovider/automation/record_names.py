"""DNS names in a promotion: syntax checks, and the operator's limit on which records promotion may change.

The limit (``PromotionRecordNames``) is enforced twice: here, before any call, and by the function's IAM
policy, ``ForAllValues:StringLike`` on ``route53:ChangeResourceRecordSetsNormalizedRecordNames``. Both must
agree, so this module compares names exactly as IAM does:

- Route 53 normalises each record name for that key: lower case, no trailing dot, and every character other
  than ``a-z``, ``0-9``, ``-``, ``_`` and ``.`` written as a backslash and three octal digits (the wildcard
  label ``*`` becomes ``\\052``).
- ``StringLike`` is case-sensitive; in the pattern ``*`` matches any run of characters (dots included, or
  none) and ``?`` exactly one; everything else is literal. So ``*.db.example.com`` allows
  ``a.db.example.com`` and ``a.b.db.example.com`` but not ``db.example.com``.
"""

from __future__ import annotations

import ipaddress
import re

import msgspec

from cbprovider.automation.errors import InputError

MAX_NAME_LENGTH = 253
"""Of a name without its trailing dot (RFC 1035's 255 octets on the wire)."""
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_HOST_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_PATTERN = re.compile(r"^[a-z0-9_.*?\\-]+$")
WILDCARD_LABEL = "*"
ESCAPED_WILDCARD = "\\052"


class RecordNameNotAllowed(InputError):
    """The record is not covered by the operator's ``PromotionRecordNames`` (or DNS changes are off)."""


def _labels(value: str, field: str, what: str) -> list[str]:
    name = value.strip().lower().removesuffix(".")
    if not name:
        raise InputError(field, f"must be a {what}, got {value!r}")
    if len(name) > MAX_NAME_LENGTH:
        raise InputError(field, f"must be a {what} of at most {MAX_NAME_LENGTH} characters")
    return name.split(".")


def record_name(value: str, field: str = "Dns.RecordName") -> str:
    """``value`` as a DNS record name: lower case, no trailing dot; a leftmost ``*`` label is a wildcard.

    Only letters, digits, ``-`` and ``_`` are accepted in labels (internationalised names in their
    ``xn--`` form), so the normalised form differs from this one only by the escaped wildcard.
    """
    labels = _labels(value, field, "DNS name")
    for index, label in enumerate(labels):
        if label == WILDCARD_LABEL and index == 0 and len(labels) > 1:
            continue
        if not _LABEL.match(label):
            raise InputError(
                field,
                f"{value!r} is not a DNS name (labels of letters, digits, '-' and '_', up to 63 characters; "
                "'*' only as the whole leftmost label)",
            )
    return ".".join(labels)


def host_name(value: str, field: str = "Dns.Target") -> str:
    """``value`` as a host name a CNAME may point at (lower case, no trailing dot); IP addresses refused."""
    try:
        ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        pass
    else:
        raise InputError(field, f"{value!r} is an IP address; a CNAME must point at a host name")
    labels = _labels(value, field, "host name")
    if not all(_HOST_LABEL.match(label) for label in labels):
        raise InputError(
            field,
            f"{value!r} is not a host name (labels of letters, digits and inner '-', up to 63 characters)",
        )
    return ".".join(labels)


def normalized(name: str) -> str:
    """``name`` (from ``record_name``) as Route 53 presents it to IAM: the wildcard label escaped."""
    if name == WILDCARD_LABEL or name.startswith(WILDCARD_LABEL + "."):
        return ESCAPED_WILDCARD + name[1:]
    return name


def _like(pattern: str) -> re.Pattern[str]:
    """IAM's ``StringLike`` as a regular expression: ``*`` any run, ``?`` one character, the rest literal."""
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.DOTALL)


class RecordNamePolicy(msgspec.Struct, frozen=True):
    """The record names promotion may change; no patterns means no DNS change at all."""

    patterns: tuple[str, ...]
    source: str = "PromotionRecordNames"
    """What the operator set, named in errors (the template parameter)."""

    @classmethod
    def from_setting(cls, text: str | None, source: str = "PromotionRecordNames") -> RecordNamePolicy:
        """Comma-separated names or patterns; each lower-cased and stripped of spaces and a trailing dot."""
        patterns = []
        for item in (text or "").split(","):
            pattern = item.strip().lower().removesuffix(".")
            if not pattern:
                continue
            if not _PATTERN.match(pattern):
                raise InputError(
                    source,
                    f"{item.strip()!r} is not a DNS name or pattern "
                    "(letters, digits, '-', '_', '.', '*', '?')",
                )
            patterns.append(pattern)
        return cls(tuple(patterns), source)

    def allows(self, name: str) -> bool:
        """Whether the normalised form of ``name`` (a ``record_name`` result) matches any pattern."""
        value = normalized(name)
        return any(_like(p).fullmatch(value) for p in self.patterns)

    def check(self, name: str, field: str = "Dns.RecordName") -> None:
        if not self.patterns:
            raise RecordNameNotAllowed(
                field, f"DNS changes are disabled: the provider stack's {self.source} is blank"
            )
        if not self.allows(name):
            raise RecordNameNotAllowed(
                field,
                f"{name} is not among the records DR promotion may change "
                f"({self.source}: {', '.join(self.patterns)})",
            )
