"""A local simulator of the Couchbase Capella Management API v3, faithful to its published OpenAPI
specification and documentation.

Start it with ``CapellaSimulator()`` as a context manager, or ``python -m simulators.capella`` /
``cbctl simulate capella``. Choices made where the documentation is silent (docs/simulators.md lists
them; each module says more):

- Authentication: the clock window is ``clock_skew_seconds`` (300 by default); timestamps below 10**11 are
  taken for seconds and refused with a message saying so; routing (404/405) happens before authentication;
  only ``GET /v2/status`` is unauthenticated. The signature is checked over the request-target exactly as
  received (no path normalisation).
- Errors: ``{"errorType", "message", "code"}``; ``errorType`` is the CamelCase reason phrase (``NotFound``,
  ``Unauthorized``, ``Conflict``) except ``ValidationError`` for 422; a 422 message starts with the field's
  path (``servers[0].storage.IOPS: ...``). Malformed JSON bodies are a 400.
- Pagination (every list): ``page`` from 1, ``perPage`` default 10 and lowered to 1000 at most, 422 for
  non-numeric values or values below 1; an empty list has ``last: 1``; ``hrefs`` are absolute
  ``http://cloudapi.cloud.couchbase.com/public/...`` URLs. ``GET /v3/clusters`` answers ``data: {}`` for an
  empty page, ``data: {tenantId, items}`` otherwise; other lists carry a ``data`` array.
- Hosted clusters: ``deploying`` for ``deploy_seconds``, then ``healthy`` (or the ``fail_next_deploy``
  status); ``scaling`` for ``scale_seconds`` after ``PUT .../servers``; ``destroying`` for
  ``destroy_seconds`` after ``DELETE``, then 404 on every endpoint. ``endpointsSrv`` appears once deployed.
  ``meta``/``servers``/``support`` and database users need a ``healthy`` cluster (422 otherwise); ``DELETE``
  needs a settled one (``healthy``, ``degraded``, ``...Failed``), and a repeat while destroying is 202.
- Database users: duplicates are a 409; the list is paginated with a ``data`` array.
- Projects: names 1-128 characters, duplicates allowed; deleting one with clusters (destroying ones too)
  is a 400.
- v2 in-VPC clusters: ``job_scheduled`` -> ``deploying`` -> ``ready``, then ``destroying`` -> 404. One
  in-VPC cloud (aws, us-east-1) and one organization user exist from the start.
"""

from simulators.capella.simulator import CapellaSimulator

__all__ = ["CapellaSimulator"]
