"""Service-wide calls: replication service, Active Directory, the self-signed certificate.

Start/Stop, ActivateActiveDirectory and the certificate calls have no captured page; they are modelled on
their siblings (no parameters, 200 with an empty body, q. 16). Undoing something not in place is a 400,
like the documented ``Failed to deactivate Active Directory.``
"""

from __future__ import annotations

from simulators.cloudbasic.actions.registry import Context, Payload, action, require_activated
from simulators.cloudbasic.errors import ApiFault


def _remote(ctx: Context, payload: dict[str, object], value: str) -> dict[str, object]:
    """``RemoteStatus`` only when clustered; the peer is always reported as ``value``."""
    if ctx.store.cluster is not None:
        payload["remoteStatus"] = value
    return payload


@action("ReplicationServiceStatus", get=True)
def replication_service_status(ctx: Context) -> Payload:
    status = "Running" if ctx.store.service_running else "Stopped"
    return _remote(ctx, {"requestTimestamp": ctx.timestamp(), "status": status}, "Running")


@action("StartReplicationService", get=True)
def start_replication_service(ctx: Context) -> Payload:
    require_activated(ctx.store)
    ctx.store.service_running = True
    return None


@action("StopReplicationService", get=True)
def stop_replication_service(ctx: Context) -> Payload:
    ctx.store.service_running = False
    return None


@action("ActiveDirectoryStatus", get=True)
def active_directory_status(ctx: Context) -> Payload:
    status = "Activated" if ctx.store.active_directory else "Deactivated"
    return _remote(ctx, {"requestTimestamp": ctx.timestamp(), "status": status}, status)


@action("ActivateActiveDirectory", get=True)
def activate_active_directory(ctx: Context) -> Payload:
    ctx.store.active_directory = True
    return None


@action("DeactivateActiveDirectory", get=True)
def deactivate_active_directory(ctx: Context) -> Payload:
    if not ctx.store.active_directory:
        raise ApiFault("Failed to deactivate Active Directory.")
    ctx.store.active_directory = False
    return None


@action("CreateAndBindSelfSignedCertificate", get=True)
def create_and_bind_certificate(ctx: Context) -> Payload:
    ctx.store.certificate_bound = True
    return None


@action("UnbindAndDeleteSelfSignedCertificate", get=True)
def unbind_and_delete_certificate(ctx: Context) -> Payload:
    if not ctx.store.certificate_bound:
        raise ApiFault("Failed to unbind the certificate: no self-signed certificate is bound.")
    ctx.store.certificate_bound = False
    return None
