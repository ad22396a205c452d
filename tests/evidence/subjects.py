"""The resource types under evidence: how to make valid properties, an in-place change, and what exists.

``objects(world)`` lists the API objects of the type as the physical ids the provider would give them
(lower-cased), minus those seeded before the test: the fault matrix compares it with what the stack
believes exists to find orphans. CloudBasic users cannot be deleted (no DeleteUser) and an activation
cannot be undone without a licence, so for those two the objects are the provider-owned keys secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.evidence.world import INSTANCE_ID, World

Props = dict[str, Any]


@dataclass(frozen=True)
class Subject:
    row: str
    type_name: str
    family: str
    make_props: Callable[[World], Props]
    change: Callable[[World, Props], Props]
    """Properties for an in-place Update of ``make_props``'s resource."""
    objects: Callable[[World], set[str]]
    fault_keys: tuple[str, str, str]
    """The simulator fault key of the call each of Create, Update, Delete is about (``*``: any call)."""
    remove: Callable[[World, str], None]
    """Make the object of a physical id disappear behind the stack's back (for "already gone")."""
    activated: bool = True
    """Whether the CloudBasic appliance starts activated."""
    update_calls_api: bool = True
    delete_calls_api: bool = True


def _owned(world: World) -> set[str]:
    return {tag.lower() for tag in world.owned_secrets().values()}


def _remove_keys_secrets(world: World, physical_id: str) -> None:
    for arn, tag in world.owned_secrets().items():
        if tag.lower() == physical_id.lower():
            world.sm.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)


def _remove_replication(world: World, physical_id: str) -> None:
    state = world.cloudbasic.state
    with state.lock:
        for key in [k for k in state.replications if k.lower() == physical_id.lower()]:
            del state.replications[key]


def _remove_ha_cluster(world: World, physical_id: str) -> None:
    with world.cloudbasic.state.lock:
        world.cloudbasic.state.cluster = None


def _remove_capella(attribute: str) -> Callable[[World, str], None]:
    def remove(world: World, physical_id: str) -> None:
        state = world.capella.state
        with state.lock:
            if attribute == "cluster_users":
                cluster_id, _, user = physical_id.partition("/")
                state.cluster_users.get(cluster_id, {}).pop(user, None)
            else:
                getattr(state, attribute).pop(physical_id, None)

    return remove


# -- CloudBasic ---------------------------------------------------------------------------------------------
def _rds(world: World, host: str, password: str, database: str | None = "Sales") -> str:
    value: Props = {
        "engine": "sqlserver",
        "host": host,
        "port": 1433,
        "username": "admin",
        "password": password,
    }
    if database:
        value["dbname"] = database
    return world.secret(value)


def replication_props(world: World) -> Props:
    return {
        "Source": {"SecretArn": _rds(world, "sales-db.example.internal", "Src-Pa55word-1234")},
        "Destination": {
            "SecretArn": _rds(world, "replica-db.example.internal", "Rep-Pa55word-5678", None),
            "Database": "SalesReplica",
        },
        "ReplicationName": "sales-dr",
    }


def _replications(world: World) -> set[str]:
    return {r.lower() for r in world.cloudbasic.replications} - world.baseline


def ha_props(world: World) -> Props:
    keys = world.secret(
        {"AccessKeyId": "REMOTEPUBLICKEY00001", "SecretAccessKey": "Remote/Private+Key/0123456789"}
    )
    return {"LocalServer": "10.0.1.10", "RemoteServer": "10.0.2.10", "RemoteCredentialsSecretArn": keys}


def _clusters(world: World) -> set[str]:
    cluster = world.cloudbasic.cluster
    return set() if cluster is None else {f"hacluster:{cluster.local_server}:{cluster.remote_server}".lower()}


def user_props(world: World) -> Props:
    return {
        "Email": "etl@example.com",
        "UserName": "etl",
        "FirstName": "Etl",
        "LastName": "Service",
        "PasswordSecretArn": world.secret("Etl-Pa55word-2468"),
        "IsAdmin": "false",
    }


def activation_props(world: World) -> Props:
    return {
        "InstanceId": INSTANCE_ID,
        "Email": "dba@example.com",
        "PasswordSecretArn": world.secret("Init-Pa55word-7d1e"),
        "ActivationKeySecretArn": world.secret({"activationKey": "5f0c2a51-9c1e-4b0e-a8a6-3f1d0c2b7e94"}),
        "AgreeToEula": "true",
    }


def _default_endpoint_written_out(world: World, props: Props) -> Props:
    """A change that is no change: the default endpoint named explicitly."""
    return {**props, "Endpoint": "default"}


# -- Capella ------------------------------------------------------------------------------------------------
def project_props(world: World) -> Props:
    return {"Name": "orders"}


def _projects(world: World) -> set[str]:
    return {p.lower() for p in world.capella.projects} - world.baseline


def cluster_props(world: World) -> Props:
    project = world.capella.add_project("evidence")
    world.baseline.add(project.lower())
    return {
        "ProjectId": project,
        "Name": "orders",
        "Description": "orders cache",
        "Provider": "aws",
        "Region": "us-east-1",
        "Cidr": "10.0.16.0/20",
        "SingleAZ": "false",
        "Servers": [
            {
                "Size": "3",
                "Compute": "m5.xlarge",
                "Services": ["data", "index", "query"],
                "Storage": {"Type": "GP3", "Size": "50", "Iops": "3000"},
            }
        ],
        "SupportPackage": {"Type": "DeveloperPro", "Timezone": "GMT"},
        "ServiceTimeout": "900",
    }


def _live_clusters(world: World) -> set[str]:
    sim = world.capella
    live = {c.lower() for c in sim.clusters if sim.cluster_status(c) not in (None, "destroying")}
    return live - world.baseline


def database_user_props(world: World) -> Props:
    sim = world.capella
    project = sim.add_project("evidence")
    cluster = sim.add_clusters(project, 1)[0]
    world.baseline |= {project.lower(), cluster.lower()}
    return {
        "ClusterId": cluster,
        "UserName": "app",
        "PasswordSecretArn": world.secret({"password": "Str0ng!Passw0rd-one"}),
        "AllBucketsAccess": "data_reader",
    }


def _database_users(world: World) -> set[str]:
    return {f"{c}/{u}".lower() for c, users in world.capella.cluster_users.items() for u in users}


# -- Capella API v4 ------------------------------------------------------------------------------------------
V4_PROJECTS = "/v4/organizations/{organizationId}/projects"
V4_PROJECT = V4_PROJECTS + "/{projectId}"
V4_CLUSTERS = V4_PROJECT + "/clusters"
V4_CLUSTER = V4_CLUSTERS + "/{clusterId}"


def project_v4_props(world: World) -> Props:
    return {"Name": "orders", "Description": "orders service"}


def _v4_projects(world: World) -> set[str]:
    return {p.lower() for p in world.capella.v4.store.projects} - world.baseline


def cluster_v4_props(world: World) -> Props:
    project = world.capella.v4.add_project("evidence")
    world.baseline.add(project.lower())
    return {
        "ProjectId": project,
        "Name": "orders",
        "Description": "orders cache",
        "CloudProvider": {"Type": "aws", "Region": "us-east-1", "Cidr": "10.0.16.0/23"},
        "ServiceGroups": [
            {
                "Node": {"Compute": {"Cpu": "4", "Ram": "16"}, "Disk": {"Type": "gp3", "Storage": "50"}},
                "NumOfNodes": "3",
                "Services": ["data", "index", "query"],
            }
        ],
        "Availability": {"Type": "single"},
        "Support": {"Plan": "developer pro", "Timezone": "GMT"},
        "ServiceTimeout": "900",
    }


def _v4_live_clusters(world: World) -> set[str]:
    v4 = world.capella.v4
    live = {c.lower() for c in list(v4.store.clusters) if v4.cluster_state(c) not in (None, "destroying")}
    return live - world.baseline


def _in_v4_cluster(world: World) -> Props:
    """``ProjectId`` and ``ClusterId`` of a healthy cluster seeded for the test (not the stack's)."""
    v4 = world.capella.v4
    project = v4.add_project("evidence")
    cluster = v4.add_clusters(project, 1)[0]
    world.baseline |= {project.lower(), cluster.lower()}
    return {"ProjectId": project, "ClusterId": cluster}


def _per_cluster(world: World, table: str, physical_id: Callable[[str, str, Any], str]) -> set[str]:
    """Physical ids of the objects in one of the v4 store's per-cluster tables."""
    store = world.capella.v4.store
    with store.lock:
        return {
            physical_id(store.clusters[cluster_id].project_id, cluster_id, item).lower()
            for cluster_id, items in getattr(store, table).items()
            if cluster_id in store.clusters
            for item in items.values()
        }


def bucket_props(world: World) -> Props:
    return {
        **_in_v4_cluster(world),
        "Name": "orders",
        "Type": "couchbase",
        "MemoryAllocationInMb": "256",
        "DurabilityLevel": "none",
        "Replicas": "1",
    }


def _buckets(world: World) -> set[str]:
    return _per_cluster(world, "buckets", lambda p, c, bucket: f"{p}/{c}/{bucket.id}")


def allowed_cidr_props(world: World) -> Props:
    return {**_in_v4_cluster(world), "Cidr": "10.1.0.0/16", "Comment": "application"}


def _allowed_cidrs(world: World) -> set[str]:
    return _per_cluster(world, "cidrs", lambda p, c, entry: f"{p}/{c}/{entry.cidr}")


def credential_props(world: World) -> Props:
    return {**_in_v4_cluster(world), "Name": "app", "Access": [{"Privileges": ["data_reader"]}]}


def _credentials(world: World) -> set[str]:
    return _per_cluster(world, "credentials", lambda p, c, credential: str(credential.id))


def _remove_v4(table: str) -> Callable[[World, str], None]:
    """Remove the object of a physical id from the v4 store (``projects``, ``clusters``, or a
    per-cluster table, whose physical ids end with the object's id, its CIDR or are the id)."""

    def remove(world: World, physical_id: str) -> None:
        store = world.capella.v4.store
        with store.lock:
            if table in ("projects", "clusters"):
                getattr(store, table).pop(physical_id, None)
                return
            for items in getattr(store, table).values():
                for key, item in list(items.items()):
                    if physical_id.endswith(f"/{getattr(item, 'cidr', key)}") or physical_id == key:
                        del items[key]

    return remove


SUBJECTS: tuple[Subject, ...] = (
    Subject(
        "Replication",
        "Custom::CloudBasicReplication",
        "cloudbasic",
        replication_props,
        lambda w, p: {**p, "ReplicationName": "sales-dr-2"},
        _replications,
        ("CreateReplication", "AlterReplication", "DeleteReplication"),
        _remove_replication,
    ),
    Subject(
        "HACluster",
        "Custom::CloudBasicHACluster",
        "cloudbasic",
        ha_props,
        lambda w, p: {**p, "Port": "82"},
        _clusters,
        ("CreateCluster", "AlterCluster", "DeleteCluster"),
        _remove_ha_cluster,
    ),
    Subject(
        "User",
        "Custom::CloudBasicUser",
        "cloudbasic",
        user_props,
        _default_endpoint_written_out,
        _owned,
        ("CreateUser", "*", "*"),
        _remove_keys_secrets,
        update_calls_api=False,
        delete_calls_api=False,
    ),
    Subject(
        "Activation",
        "Custom::CloudBasicActivation",
        "cloudbasic",
        activation_props,
        _default_endpoint_written_out,
        _owned,
        ("ActivateInstance", "*", "DeactivateInstance"),
        _remove_keys_secrets,
        activated=False,
        update_calls_api=False,
    ),
    Subject(
        "CapellaProject",
        "Custom::CapellaProject",
        "capella",
        project_props,
        _default_endpoint_written_out,
        _projects,
        ("POST /v2/projects", "GET /v2/projects/{id}", "DELETE /v2/projects/{id}"),
        _remove_capella("projects"),
    ),
    Subject(
        "CapellaCluster",
        "Custom::CapellaCluster",
        "capella",
        cluster_props,
        lambda w, p: {**p, "Description": "orders cache, resized"},
        _live_clusters,
        ("POST /v3/clusters", "PUT /v3/clusters/{id}/meta", "DELETE /v3/clusters/{id}"),
        _remove_capella("clusters"),
    ),
    Subject(
        "CapellaDbUser",
        "Custom::CapellaDatabaseUser",
        "capella",
        database_user_props,
        lambda w, p: {**p, "AllBucketsAccess": "data_writer"},
        _database_users,
        (
            "POST /v3/clusters/{id}/users",
            "POST /v3/clusters/{id}/users",
            "DELETE /v3/clusters/{id}/users/{username}",
        ),
        _remove_capella("cluster_users"),
    ),
    Subject(
        "CapellaProjectV4",
        "Custom::CapellaProject",
        "capella-v4",
        project_v4_props,
        lambda w, p: {**p, "Description": "orders service, renamed"},
        _v4_projects,
        (f"POST {V4_PROJECTS}", f"PUT {V4_PROJECT}", f"DELETE {V4_PROJECT}"),
        _remove_v4("projects"),
    ),
    Subject(
        "CapellaClusterV4",
        "Custom::CapellaCluster",
        "capella-v4",
        cluster_v4_props,
        lambda w, p: {**p, "Description": "orders cache, resized"},
        _v4_live_clusters,
        (f"POST {V4_CLUSTERS}", f"PUT {V4_CLUSTER}", f"DELETE {V4_CLUSTER}"),
        _remove_v4("clusters"),
    ),
    Subject(
        "CapellaBucket",
        "Custom::CapellaBucket",
        "capella-v4",
        bucket_props,
        lambda w, p: {**p, "MemoryAllocationInMb": "512"},
        _buckets,
        (
            f"POST {V4_CLUSTER}/buckets",
            f"PUT {V4_CLUSTER}/buckets/{{bucketId}}",
            f"DELETE {V4_CLUSTER}/buckets/{{bucketId}}",
        ),
        _remove_v4("buckets"),
    ),
    Subject(
        "CapellaAllowedCidr",
        "Custom::CapellaAllowedCidr",
        "capella-v4",
        allowed_cidr_props,
        # No update in the API: the Update deletes the entry and creates it again (the create is faulted).
        lambda w, p: {**p, "Comment": "application, renamed"},
        _allowed_cidrs,
        (
            f"POST {V4_CLUSTER}/allowedcidrs",
            f"POST {V4_CLUSTER}/allowedcidrs",
            f"DELETE {V4_CLUSTER}/allowedcidrs/{{allowedCidrId}}",
        ),
        _remove_v4("cidrs"),
    ),
    Subject(
        "CapellaCredential",
        "Custom::CapellaDatabaseCredential",
        "capella-v4",
        credential_props,
        lambda w, p: {**p, "Access": [{"Privileges": ["data_writer"]}]},
        _credentials,
        (
            f"POST {V4_CLUSTER}/users",
            f"PUT {V4_CLUSTER}/users/{{userId}}",
            f"DELETE {V4_CLUSTER}/users/{{userId}}",
        ),
        _remove_v4("credentials"),
    ),
)
