"""Appliance versions: what the vendor documents as changing between releases, and nothing more.

- before 12.301 the SigV4 credential scope's region must be ``us-east-1`` (a blank region is refused); from
  12.301 blank is the rule and ``us-east-1`` keeps working ("backward compatibility");
- before 12.301 ActivateInstance has no EULA fields (``agreeToEula`` is neither required nor answered);
- before 12.347 CreateCluster has no ``LocalServer``: the node receiving the call is the local one, named as
  the request's ``Host`` names it (the vendor's node sample sends no ``LocalServer``).

``OLDEST`` and ``NEWEST`` are the versions the tests run against; any other ``major.minor`` is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering
from typing import Self

_VERSION = re.compile(r"^\s*(\d{1,3})\.(\d{1,4})\s*$")


@total_ordering
@dataclass(frozen=True)
class ApplianceVersion:
    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> Self:
        match = _VERSION.match(text)
        if match is None:
            raise ValueError(f"appliance version must look like 12.347, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, ApplianceVersion):
            return NotImplemented
        return (self.major, self.minor) < (other.major, other.minor)

    def at_least(self, text: str) -> bool:
        return self >= ApplianceVersion.parse(text)

    @property
    def blank_region(self) -> bool:
        """Whether a blank SigV4 region is accepted (12.301+)."""
        return self.at_least("12.301")

    @property
    def eula(self) -> bool:
        """Whether ActivateInstance has the EULA fields (12.301+)."""
        return self.at_least("12.301")

    @property
    def local_server(self) -> bool:
        """Whether CreateCluster requires ``LocalServer`` (12.347+)."""
        return self.at_least("12.347")

    def signing_regions(self) -> tuple[str, ...]:
        return ("", "us-east-1") if self.blank_region else ("us-east-1",)


OLDEST = ApplianceVersion(12, 300)
"""Before every documented change: us-east-1 only, no EULA, no LocalServer."""
NEWEST = ApplianceVersion(14, 21)
"""The newest version any stored vendor page names (ReplicationStatus ``connectionTestTimeout``)."""
MODELLED = (OLDEST, ApplianceVersion(12, 346), NEWEST)
