"""The Multi-AZ HA cluster: CreateCluster, AlterCluster, DeleteCluster.

Choices: the answers are 200 with an empty body (not captured; the vendor sample ignores them). A second
CreateCluster while clustered, and Alter/Delete while standalone, are 400s. The remote key pair is taken on
trust (the simulator has no second node to ask) and never answered. DeleteCluster needs the key pair only when
``StandaloneServer`` names the other node (the docs: keys are needed when the call goes to the node being
removed); it must name one of the two nodes. While clustered, ReplicationServiceStatus carries
``RemoteStatus`` ``Running``.

Before 12.347 there is no ``LocalServer``: the local node is the host the request was sent to (as its
``Host`` header names it), so that a later DeleteCluster naming that host keeps it standalone.
"""

from __future__ import annotations

from simulators.cloudbasic.actions.registry import Context, Payload, action
from simulators.cloudbasic.errors import ApiFault
from simulators.cloudbasic.params import Params
from simulators.cloudbasic.state import Cluster


def _port(p: Params) -> int:
    port = p.number("port", required=True)
    if port is None or not 0 < port < 65536:
        raise ApiFault(f"{p.field_name('port')} must be a TCP port number")
    return port


@action("CreateCluster")
def create_cluster(ctx: Context) -> Payload:
    p = ctx.params
    remote = p.require("remoteServer")
    if ctx.store.version.local_server:
        local = p.require("localServer")
    else:
        local = (p.text("localServer") or "").strip() or ctx.host
    port = _port(p)
    public_key = p.require("publicKey")
    private_key = p.require("privateKey")
    if ctx.store.cluster is not None:
        raise ApiFault("Instance is already part of a cluster")
    if remote.lower() == local.lower():
        raise ApiFault(f"{p.field_name('remoteServer')} must differ from {p.field_name('localServer')}")
    ctx.store.cluster = Cluster(local, remote, port, public_key, private_key)
    return None


@action("AlterCluster")
def alter_cluster(ctx: Context) -> Payload:
    p = ctx.params
    remote = p.require("remoteServer")
    port = _port(p)
    public_key = p.require("publicKey")
    private_key = p.require("privateKey")
    cluster = ctx.store.cluster
    if cluster is None:
        raise ApiFault("Instance is not part of a cluster")
    cluster.remote_server, cluster.port = remote, port
    cluster.remote_public_key, cluster.remote_private_key = public_key, private_key
    return None


@action("DeleteCluster")
def delete_cluster(ctx: Context) -> Payload:
    p = ctx.params
    standalone = p.require("standaloneServer")
    cluster = ctx.store.cluster
    if cluster is None:
        raise ApiFault("Instance is not part of a cluster")
    nodes = {cluster.local_server.lower(), cluster.remote_server.lower()}
    if standalone.lower() not in nodes:
        raise ApiFault(f"{p.field_name('standaloneServer')} must be one of the cluster's servers")
    if standalone.lower() != cluster.local_server.lower():
        p.require("publicKey")
        p.require("privateKey")
    ctx.store.cluster = None
    return None
