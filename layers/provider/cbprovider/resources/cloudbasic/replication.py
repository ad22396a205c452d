"""``Custom::CloudBasicReplication``: one SQL Server -> SQL Server replication job on a CloudBasic appliance.

Physical id: the job's ``replicationId`` GUID. Create calls CreateReplication (then AlterReplication
when ``DataReplication``/``SchemaReplication`` is false, as CreateReplication has no such switch) and,
with ``WaitFor: Seeded``, polls ReplicationStatus across invocations until seeding ends. Update replaces
the job when the resolved source or destination server/database, ``ReplicationMethod`` or ``Tde``
changes; everything else is an AlterReplication (with the connection strings rebuilt from the
secrets' current values, so a rotated password reaches the appliance). Delete calls DeleteReplication;
a job that is already gone counts as deleted.

Choices where the API reference is silent:
- CreateReplication has no idempotency token. The job list is read before creating; if the create's
  answer is lost (timeout, dropped connection, 5xx other than 503, unreadable body) the one new job
  with the same source and destination is adopted, at once or at the next polls (the appliance may
  make the job after the call timed out), else the create fails saying it did not take effect (see
  ``pending_create``). Only the ids of the jobs that already ran from this source to this destination
  are kept (not the whole job list), so the poll state stays small however many jobs the appliance has.
- Options that only CreateReplication takes (ReplicateViews, ReplicateStoredProcedures,
  RebuildIndexes, the endpoints' encryption, change-tracking and Azure/seeding options) cannot be
  changed later: an Update that changes them succeeds without applying them, and says so in its reason.
- ``ParallelTablesLimit`` is sent to AlterReplication as ``parallelReplicationLimit`` (12.51+).
- The schedule, reseeding, index-rebuild, discovery and exclusion options (``replication_options``) are
  all changed in place by AlterReplication; removing one switches it off where the off value is known.
- GetAtt ``Status`` is ReplicationStatus's seeding status (``Running``, ``Success``, ``Failed``).
- When a replacing Update fails after its new job was created, the runtime deletes the new job before
  the failure is reported (CloudFormation only knows the old id then).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from msgspec import Meta

from cbprovider.errors import ApiError, ProviderError
from cbprovider.resources.cloudbasic.connection import client_for
from cbprovider.resources.cloudbasic.replication_endpoints import (
    ROLE_FIELDS,
    DestinationEndpoint,
    ResolvedEndpoint,
    SourceEndpoint,
    identity_of,
    resolve,
)
from cbprovider.resources.cloudbasic.replication_options import (
    AFTER_CREATE,
    OPTIONS,
    ReplicationOptions,
    TableNames,
    removal_value,
)
from cbprovider.resources.pending_create import LOOKUP_ERRORS, PendingCreate, outcome_unknown, transient
from cbprovider.runtime import (
    Done,
    InProgress,
    Outcome,
    PropertiesModel,
    Request,
    ResourceType,
    ValidationFailed,
)
from cbprovider.runtime.ids import placeholder_id
from cbprovider.runtime.log import logger
from cbprovider.runtime.properties import parse_properties, values
from cbprovider.secrets.reader import SecretUnreadable
from cbprovider.secrets.sharing import SecretNotShared

if TYPE_CHECKING:
    from cbprovider.cloudbasic import AlterReplicationRequest, CloudBasicClient, ReplicationSummary

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SEEDING_POLL_SECONDS = 60
VERIFY_LOOKUPS = 3
METHODS = Literal[
    "ContinuousWithAutoSeeding",
    "ContinuousWithSemiAutoSeeding",
    "ContinousWithAutoSeeding",
    "ContinousWithSemiAutoSeeding",
]
CREATE_ONLY = (
    "replicate_views",
    "replicate_stored_procedures",
    "rebuild_indexes",
)


class Tde(PropertiesModel):
    certificate_name: str
    key_algorithm: str | None = None


class ReplicationProperties(ReplicationOptions):
    source: SourceEndpoint
    destination: DestinationEndpoint
    replication_name: str | None = None
    replication_method: METHODS = "ContinuousWithAutoSeeding"
    replicate_logins_users_and_roles: bool | None = None
    replicate_tables_only: bool | None = None
    replicate_views: bool | None = None
    replicate_stored_procedures: bool | None = None
    parallel_tables_limit: Annotated[int, Meta(ge=1)] | None = None
    rebuild_indexes: bool | None = None
    staging_buffer_type: Literal["TempDb", "ReplicaDb"] | None = None
    tables_to_exclude: TableNames | None = None
    data_replication: bool = True
    schema_replication: bool = True
    tde: Tde | None = None
    wait_for: Literal["Created", "Seeded"] = "Created"


class SeedingFailed(ProviderError):
    """ReplicationStatus reported the seeding as failed."""


class CreateOutcomeUnknown(ProviderError):
    """A CreateReplication's answer was lost and its job cannot be told apart from others."""


class Replication(ResourceType[ReplicationProperties]):
    type_name = "Custom::CloudBasicReplication"
    properties_model = ReplicationProperties
    replacement_properties = frozenset({"Source", "Destination", "ReplicationMethod", "Tde"})

    def owns_physical_id(self, physical_id: str) -> bool:
        return bool(GUID.match(physical_id))

    def requires_replacement(self, new: Mapping[str, Any], old: Mapping[str, Any], *, stack_id: str) -> bool:
        """Replace when either end's resolved server/database, the method or TDE changes (a change of
        ``Endpoint`` replaces every type: the runtime decides that before asking)."""
        try:
            old_props = parse_properties(ReplicationProperties, old)
        except ValidationFailed:
            logger.info("The old properties no longer parse: comparing them as given")
            return super().requires_replacement(new, old, stack_id=stack_id)
        new_props = parse_properties(ReplicationProperties, new)
        if (new_props.replication_method, new_props.tde) != (old_props.replication_method, old_props.tde):
            return True
        for role in ("Source", "Destination"):
            new_end, old_end = getattr(new_props, role.lower()), getattr(old_props, role.lower())
            new_roles, old_roles = (
                {k: v for k, v in values(e).items() if k in ROLE_FIELDS} for e in (new_end, old_end)
            )
            if new_roles == old_roles:
                continue
            try:
                old_identity = resolve(old_end, role, stack_id=stack_id).identity
            except (ValidationFailed, SecretUnreadable, SecretNotShared):
                logger.warning("The old endpoint cannot be resolved: replacing", extra={"role": role})
                return True
            if resolve(new_end, role, stack_id=stack_id).identity != old_identity:
                return True
        return False

    # -- create ------------------------------------------------------------------------------------
    def in_flight(self, req: Request[ReplicationProperties]) -> Mapping[str, Any] | None:
        """The jobs of these two databases that exist before the create (``before``): a look-up after a
        crash adopts only a job that is not among them and that no other stack owns."""
        source, destination = _databases(req)
        with client_for(req.properties, req) as client:
            before = _jobs_of(client, source, destination)
        return PendingCreate.before_call(name="", extra={"before": before}).to_state()

    def create(self, req: Request[ReplicationProperties]) -> Outcome:
        p = req.properties
        source, destination = _databases(req)
        with client_for(p, req) as client:
            created = self._create_job(client, req, source, destination)
            if isinstance(created, InProgress):
                return created
            req.note_physical_id(created)
            return self._after_create(client, req, created, source, destination)

    def _after_create(
        self,
        client: CloudBasicClient,
        req: Request[ReplicationProperties],
        replication_id: str,
        source: ResolvedEndpoint,
        destination: ResolvedEndpoint,
    ) -> Outcome:
        p = req.properties
        wanted = _alteration_request(p).to_body()
        settings = {key: value for key, value in wanted.items() if key in AFTER_CREATE}
        for key in ("dataReplication", "schemaReplication"):
            if wanted[key] == "false":
                settings[key] = "false"
        if settings:
            client.alter_replication(replication_id, settings)
        status = client.replication_status(replication_id)
        if p.wait_for == "Seeded":
            return self._seeding(req, replication_id, status.seeding_status, status.seeding_progress)
        return Done(replication_id, _data(replication_id, status.seeding_status, source, destination))

    def _create_job(
        self,
        client: CloudBasicClient,
        req: Request[ReplicationProperties],
        source: ResolvedEndpoint,
        destination: ResolvedEndpoint,
    ) -> str | InProgress:
        """The new job's id, or ``InProgress`` to look for it at the next polls."""
        from cbprovider.cloudbasic import CreateReplicationRequest, Endpoint

        p = req.properties
        # The jobs that were there, as kept in the request's record before acting (listed again only
        # when the type is driven without the runtime's record).
        kept = PendingCreate.from_state(req.in_flight) if req.in_flight else None
        if kept is not None and "before" in kept.extra:
            before = [str(job) for job in kept.extra["before"]]
        else:
            before = _jobs_of(client, source, destination)
        request = CreateReplicationRequest(
            source=Endpoint(source.connection_string, p.source.encrypt_data_in_transit, _source_extra(p)),
            destination=Endpoint(
                destination.connection_string,
                p.destination.encrypt_data_in_transit,
                _destination_extra(p),
            ),
            replication_method=p.replication_method,
            replication_name=p.replication_name,
            parallel_tables_limit=p.parallel_tables_limit,
            stored_procedures_to_exclude=_names(p.stored_procedures_to_exclude),
            reseeding_schedule=p.reseeding_schedule.to_request() if p.reseeding_schedule else None,
            rebuild_db_replica_indexes_schedule=(
                p.index_rebuild_schedule.to_request() if p.index_rebuild_schedule else None
            ),
            extra=_create_extra(p),
        )
        since = time.time()
        try:
            return client.create_replication(request)
        except ProviderError as error:
            if not outcome_unknown(error):
                raise
            pending = PendingCreate.after(error, name="", since=since, extra={"before": before})
        found = None
        if not req.deadline.expired():
            # One look right after the call gave up: a transient failure of it counts for nothing.
            try:
                found = _new_job(client, req, source, destination, pending)
            except LOOKUP_ERRORS as error:
                if transient(error) is None:
                    raise
        if found is not None and not req.owned_elsewhere(found):
            logger.warning(
                "CreateReplication's answer was lost: adopting the new job", extra={"replication_id": found}
            )
            return found
        return pending.in_progress(placeholder_id(req.logical_id, req.request_id))

    def _verify(
        self, client: CloudBasicClient, req: Request[ReplicationProperties], pending: PendingCreate
    ) -> Outcome:
        """One poll of a create whose outcome was unknown (``req.physical_id`` is the placeholder)."""
        source, destination = _databases(req)
        found = pending.verify(
            _new_job_finder(client, req, source, destination),
            physical_id=str(req.physical_id),
            foreign=req.owned_elsewhere,
            call="CreateReplication",
            sought=f"new replication from {_describe(source, destination)}",
            advice="; check GetReplicationsList on the appliance before retrying",
            lookups_needed=VERIFY_LOOKUPS,
        )
        if not isinstance(found, str):
            return found
        logger.warning(
            "The create had been carried out: adopting the new job", extra={"replication_id": found}
        )
        req.note_physical_id(found)
        return self._after_create(client, req, found, source, destination)

    def _seeding(
        self,
        req: Request[ReplicationProperties],
        replication_id: str,
        status: str | None,
        progress: int | None,
    ) -> Outcome:
        from cbprovider.cloudbasic.outcomes import FAILED, SUCCESS, outcome

        if outcome(status) == SUCCESS:
            source, destination = _databases(req)
            return Done(replication_id, _data(replication_id, status, source, destination))
        if outcome(status) == FAILED:
            raise SeedingFailed(
                f"seeding of replication {replication_id} failed (ReplicationStatus: {status}); GetLogs "
                "with this id gives the appliance's seeding log"
            )
        return InProgress(
            replication_id, {"status": status or "", "progress": progress}, retry_after=SEEDING_POLL_SECONDS
        )

    def poll(self, req: Request[ReplicationProperties], state: Mapping[str, Any]) -> Outcome:
        """Continues a create being verified (``verify`` state) or a seeding (``WaitFor: Seeded``)."""
        pending = PendingCreate.from_state(state)
        replication_id = str(req.physical_id)
        with client_for(req.properties, req) as client:
            if pending is not None:
                return self._verify(client, req, pending)
            status = client.replication_status(replication_id)
        return self._seeding(req, replication_id, status.seeding_status, status.seeding_progress)

    # -- update ------------------------------------------------------------------------------------
    def update(self, req: Request[ReplicationProperties]) -> Outcome:
        p, old = req.properties, req.old_properties
        replication_id = str(req.physical_id)
        source, destination = _databases(req)
        changes, kept = _alterations(p, old, source, destination)
        with client_for(p, req) as client:
            client.alter_replication(replication_id, changes)
            status = client.replication_status(replication_id)
        ignored = _create_only_changes(p, old)
        notes = []
        if ignored:
            notes.append(
                f"{', '.join(ignored)} apply only when a replication is created: the change is not applied "
                "to the existing replication"
            )
            logger.warning("Create-only properties changed", extra={"properties": ignored})
        if kept:
            notes.append(
                f"{', '.join(kept)} removed: the appliance documents no default, so the replication keeps "
                "its current setting (set the property explicitly to change it)"
            )
        reason = "; ".join(notes) or None
        return Done(replication_id, _data(replication_id, status.seeding_status, source, destination), reason)

    # -- delete ------------------------------------------------------------------------------------
    def delete(self, req: Request[ReplicationProperties]) -> Outcome:
        replication_id = str(req.physical_id)
        with client_for(req.properties, req) as client:
            try:
                client.delete_replication(replication_id)
            except ApiError as error:
                # The not-found text is undocumented: any 400 is checked against the list instead.
                if error.status != 400 or _listed(client, replication_id):
                    raise
                logger.info("The replication is already gone", extra={"replication_id": replication_id})
                return Done(replication_id, reason="the replication was already gone")
        return Done(replication_id)


def matching(
    listed: Iterable[ReplicationSummary], source: tuple[str, str], destination: tuple[str, str]
) -> list[str]:
    """Ids (as listed) of the jobs from ``source`` to ``destination`` (``ResolvedEndpoint.identity``)."""
    wanted = (source, destination)
    return [
        r.replication_id
        for r in listed
        if r.replication_id and (identity_of(r.source or ""), identity_of(r.destination or "")) == wanted
    ]


def _describe(source: ResolvedEndpoint, destination: ResolvedEndpoint) -> str:
    """``source-server/db to replica-server/db`` (no credentials: identities only)."""
    return f"{'/'.join(source.identity)} to {'/'.join(destination.identity)}"


def _jobs_of(client: CloudBasicClient, source: ResolvedEndpoint, destination: ResolvedEndpoint) -> list[str]:
    """The ids (lower case, sorted) of the jobs that replicate ``source`` to ``destination`` now."""
    identities = (source.identity, destination.identity)
    return sorted(job.lower() for job in matching(client.get_replications_list(), *identities))


def _new_job_finder(
    client: CloudBasicClient,
    req: Request[ReplicationProperties],
    source: ResolvedEndpoint,
    destination: ResolvedEndpoint,
) -> Callable[[PendingCreate], str | None]:
    """``_new_job`` as the look-up ``PendingCreate.verify`` calls at each poll."""
    return lambda pending: _new_job(client, req, source, destination, pending)


def _new_job(
    client: CloudBasicClient,
    req: Request[ReplicationProperties],
    source: ResolvedEndpoint,
    destination: ResolvedEndpoint,
    pending: PendingCreate,
) -> str | None:
    """The look-up of a pending CreateReplication: the one job from this source to this destination
    that was not there before the create (``before`` in the pending state) and that no other stack
    owns; ``CreateOutcomeUnknown`` when there are several, since this stack's cannot be told apart."""
    if "before" not in pending.extra:
        return None  # the create step had not reached its call (see ``Replication.in_flight``)
    before = {str(job).lower() for job in pending.extra["before"]}
    listed = matching(client.get_replications_list(), source.identity, destination.identity)
    new = [job for job in listed if job.lower() not in before and not req.owned_elsewhere(job)]
    if len(new) > 1:
        raise CreateOutcomeUnknown(
            f"CreateReplication {pending.cause}, and {len(new)} new replications from "
            f"{_describe(source, destination)} appeared since ({', '.join(new)}); none is adopted, "
            "since this stack's cannot be told apart: delete the surplus ones with DeleteReplication"
        )
    return new[0] if new else None


def _listed(client: CloudBasicClient, replication_id: str) -> bool:
    wanted = replication_id.lower()
    return any(r.replication_id.lower() == wanted for r in client.get_replications_list())


# -- request bodies ----------------------------------------------------------------------------------
def _names(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _create_extra(p: ReplicationProperties) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "replicateLoginsUsersAndRoles": p.replicate_logins_users_and_roles,
        "replicateTablesOnly": p.replicate_tables_only,
        "replicateViews": p.replicate_views,
        "replicateStoredProcedures": p.replicate_stored_procedures,
        "rebuildIndexes": p.rebuild_indexes,
        "stagingBufferType": p.staging_buffer_type,
        "tablesToExclude": ",".join(p.tables_to_exclude) if p.tables_to_exclude else None,
    }
    if p.tde is not None:
        extra["tde"] = {"certificateName": p.tde.certificate_name, "keyAlgorithm": p.tde.key_algorithm}
    return {k: v for k, v in extra.items() if v is not None}


def _source_extra(p: ReplicationProperties) -> dict[str, Any]:
    s = p.source
    return _present(
        changeTrackingMethod=s.change_tracking_method,
        changeTrackingRetentionPeriod=s.change_tracking_retention_period,
        resetChangeTracking=s.reset_change_tracking,
        userApprovalToEnableChangeTracking=s.user_approval_to_enable_change_tracking,
    )


def _destination_extra(p: ReplicationProperties) -> dict[str, Any]:
    d = p.destination
    return _present(
        azureServerTier=d.azure_server_tier,
        azureMaxDbSize=d.azure_max_db_size,
        replicateCompatibilityLevel=d.replicate_compatibility_level,
        customDbCreateScript=d.custom_db_create_script,
        preSeedingCustomAction=d.pre_seeding_custom_action,
        postSeedingCustomAction=d.post_seeding_custom_action,
    )


def _present(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _alterations(
    p: ReplicationProperties,
    old: ReplicationProperties | None,
    source: ResolvedEndpoint,
    destination: ResolvedEndpoint,
) -> tuple[dict[str, Any], list[str]]:
    """AlterReplication's fields (its own names): connection strings always, the rest when changed or
    removed; and the removed properties the job keeps (no documented value switches them off)."""
    wanted = _alteration_request(p).to_body()
    before = _alteration_request(old).to_body() if old is not None else {}
    changes = {k: v for k, v in wanted.items() if old is None or before.get(k) != v}
    removed = before.keys() - wanted.keys()
    switched_off = set()
    for key in removed:
        off = removal_value(key)
        if off is not None:
            changes[key] = off
            switched_off.add(OPTIONS[key].prop)
    # A removed field of an object that was switched off as a whole (Schedule) needs no mention.
    kept = {
        OPTIONS[key].prop
        for key in removed
        if removal_value(key) is None and OPTIONS[key].prop.split(".")[0] not in switched_off
    }
    return {
        "sourceConnectionString": source.connection_string,
        "destinationConnectionString": destination.connection_string,
        **changes,
    }, sorted(kept)


def _alteration_request(p: ReplicationProperties) -> AlterReplicationRequest:
    """The AlterReplication settings the properties ask for (``None``: not set)."""
    from cbprovider.cloudbasic import AlterReplicationRequest

    schedule, ct = p.schedule, p.change_tracking_process
    return AlterReplicationRequest(
        replication_name=p.replication_name,
        data_replication=p.data_replication,
        schema_replication=p.schema_replication,
        replicate_tables_only=p.replicate_tables_only,
        replicate_logins_users_roles=p.replicate_logins_users_and_roles,
        parallel_replication_limit=p.parallel_tables_limit,
        staging_buffer_type=p.staging_buffer_type,
        tables_to_exclude=_names(p.tables_to_exclude),
        dynamic_tables_discovery=p.dynamic_tables_discovery,
        dynamic_views_discovery=p.dynamic_views_discovery,
        add_new_tables_to_exclusion_list=p.add_new_tables_to_exclusion_list,
        dynamic_tables_exclusion_rules=_names(p.dynamic_tables_exclusion_rules),
        drop_tables_found_on_replica_only=p.drop_tables_found_on_replica_only,
        drop_logins_users_roles_found_on_replica_only=p.drop_logins_users_roles_found_on_replica_only,
        parallel_detection_limit=p.parallel_detection_limit,
        stored_procedures_to_exclude=_names(p.stored_procedures_to_exclude),
        indexes_to_exclude=_names(p.indexes_to_exclude),
        tables_to_exclude_disable_ct=p.tables_to_exclude_disable_ct,
        tables_to_exclude_disable_cdc=p.tables_to_exclude_disable_cdc,
        is_continuous=False if schedule is not None else None,
        repeat_interval_in_minutes=schedule.repeat_interval_in_minutes if schedule else None,
        schedule_interval_time_from=schedule.from_time if schedule else None,
        schedule_interval_time_to=schedule.to_time if schedule else None,
        change_tracking_batch_limit=ct.batch_limit if ct else None,
        ct_process_timeout_in_minutes=ct.timeout_in_minutes if ct else None,
        serialized_ct_process_timeout_in_minutes=ct.serialized_timeout_in_minutes if ct else None,
        auto_serialized_ct_process_timeout_in_minutes=ct.auto_serialized_timeout_in_minutes if ct else None,
        reseeding_schedule=p.reseeding_schedule.to_request() if p.reseeding_schedule else None,
        rebuild_db_replica_indexes_schedule=(
            p.index_rebuild_schedule.to_request() if p.index_rebuild_schedule else None
        ),
    )


def _create_only_changes(p: ReplicationProperties, old: ReplicationProperties | None) -> list[str]:
    """The changed properties that only CreateReplication takes (AlterReplication cannot apply them)."""
    if old is None:
        return []
    pascal = {field.name: field.encode_name for field in msgspec.structs.fields(p)}
    names = [pascal[name] for name in CREATE_ONLY if getattr(p, name) != getattr(old, name)]
    names += [f"Source.{name}" for name in p.source.changed_create_options(old.source)]
    names += [f"Destination.{name}" for name in p.destination.changed_create_options(old.destination)]
    return names


def _databases(req: Request[ReplicationProperties]) -> tuple[ResolvedEndpoint, ResolvedEndpoint]:
    p = req.properties
    return resolve(p.source, "Source", stack_id=req.stack_id), resolve(
        p.destination, "Destination", stack_id=req.stack_id
    )


def _data(
    replication_id: str, status: str | None, source: ResolvedEndpoint, destination: ResolvedEndpoint
) -> dict[str, str]:
    return {
        "ReplicationId": replication_id,
        "Status": status or "Unknown",
        "SourceDatabase": source.database,
        "DestinationDatabase": destination.database,
    }
