"""How the simulated appliance spells its answers: the shapes seen in the vendor's pages and samples.

- ``json_case="pascal"``: JSON answers with PascalCase keys (``ReplicationId``, ``SeedingStatus``), as in the
  vendor's 2023 samples; the default is camelCase (``replicationId``, ``seedingStatus``).
- ``errors="message"``: every error is ``<Error><RequestId/><Message/></Error>`` in ``application/xml``
  whatever the request's format, the variant on the API index page; the default is the per-action pages'
  ``ErrorResponse{RequestId, Errors/Error*}`` (XML) or ``{"errors": [...], "requestId": N}`` (JSON).
- ``xml_errors=True``: errors in the documented XML shape even for JSON requests.
- ``seeding_failure``: how ReplicationStatus spells a failed seeding (``Failed`` unless told otherwise;
  the real value is not documented).
"""

from __future__ import annotations

from dataclasses import dataclass

JSON_CASES = ("camel", "pascal")
ERROR_SHAPES = ("documented", "message")


@dataclass(frozen=True)
class Dialect:
    json_case: str = "camel"
    errors: str = "documented"
    xml_errors: bool = False
    seeding_failure: str = "Failed"

    def __post_init__(self) -> None:
        if self.json_case not in JSON_CASES:
            raise ValueError(f"json_case must be one of {JSON_CASES}, got {self.json_case!r}")
        if self.errors not in ERROR_SHAPES:
            raise ValueError(f"errors must be one of {ERROR_SHAPES}, got {self.errors!r}")
        if not self.seeding_failure.strip() or self.seeding_failure in ("Running", "Success"):
            raise ValueError(f"seeding_failure must name a failure, got {self.seeding_failure!r}")
