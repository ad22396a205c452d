"""A local simulator of the CloudBasic (CloudBasix) REST API, faithful to the vendor's published API
documentation.

Start it with ``CloudBasicSimulator()`` as a context manager, or ``python -m simulators.cloudbasic`` /
``cbctl simulate cloudbasic``. Every documented action answers at ``POST /api/<Action>``; the
parameterless ones take GET too (C26). Unknown actions are a 404, another verb a 405, both
before authentication, in the documented error shape. Choices made where the documentation is silent
(the ids are the assumptions listed in docs/simulators.md; each module says more):

- Signing (C1-C6, ``sigv4``): SigV4 with service ``cloudbasic`` or ``cbr`` and region blank or ``us-east-1``
  (both configurable); the payload hash is the ``X-Amz-Content-Sha256`` value (``strict_payload_hash``
  makes it match the body); ``host`` and ``x-amz-date`` must be signed; a 900 s clock window; every failure
  is a 400 in the error shape with a short reason and never a secret. Only ActivateInstance is unsigned.
- Formats (C8-C11, ``codec``): bodies parsed by their first byte; answers in the declared Content-Type, else
  an unambiguous Accept, else the body's format, else XML; JSON keys matched case-insensitively, booleans and
  integers accepted as strings; any XML root; DTDs/entities refused (400). JSON answers camelCase, XML
  ``<Action>Response`` with PascalCase elements; errors ``ErrorResponse{RequestId, Errors/Error}`` or
  ``{"errors": [...], "requestId": N}`` with an integer counter (C22). Actions documented with no response
  answer 200 with an empty body.
- Instance (C19-C20): ActivateInstance checks ``instanceId`` and ``agreeToEula``, answers ``publicKey``,
  ``privateKey``, ``eulaUrl`` (+ ``volumeEulaUrl``); a repeat is 400 ``Instance is already activated``.
- Replications (C12-C15): GUID ids; seeding ``Running`` with ``"NN%"`` over ``seeding_seconds`` then
  ``Success``/``Failed``; invented ReplicationStatus fields; unknown ids 400 ``{id}:Replication not found``.
- Cluster (C25): one logical store; ``RemoteStatus`` ``Running`` while clustered.
- Promotion (C24): ``Running`` over ``promote_seconds``, then ``Success`` (or ``Failed``) with ``Logs``.
- Timestamps are UTC in the long en-US form (C23); progress is computed from a monotonic clock at read time.
"""

from simulators.cloudbasic.simulator import CloudBasicSimulator

__all__ = ["CloudBasicSimulator"]
