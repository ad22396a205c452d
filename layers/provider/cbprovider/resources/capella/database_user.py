"""``Custom::CapellaDatabaseUser``: a database user of a hosted Capella cluster (``/v3/clusters/{id}/users``).

Physical id: ``<ClusterId>/<UserName>``. The cluster is part of the id so that a Delete acts on exactly
the cluster the user was made on, whatever the properties of the Delete say, and so that the same user
name on two clusters gives two distinct ids; an id not of that form (a made-up one) is never acted on.

The password comes from ``PasswordSecretArn`` (a JSON object with ``password``, or the plain text) and
is checked locally against the documented policy (8+ characters with a lower-case letter, an upper-case
letter, a digit and a symbol) before anything is changed; it is sent only in the create body and never
logged or put in a reason. v3 has no user update: when ``PasswordSecretArn``, ``AllBucketsAccess`` or
``Buckets`` change, the user is deleted and created again under the same name (the physical id is
kept; connections with the old password fail from then on). ``UserName`` and ``ClusterId`` replace.
A rotated value in the same secret is applied the next time one of those properties changes.

A create whose outcome is unknown (timed out, connection lost after sending, 500/502/504) may have made
the user: its id is noted and the create returns ``InProgress`` under ``<ClusterId>/<UserName>``; each
poll lists the cluster's users and the user is adopted once listed. When its absence is conclusive (see
``pending_create``) the create ends in FAILED with that same id, not a placeholder: the runtime reports a
failed poll under the id of the last ``InProgress``, and keeping the real id there means every way the
verification can end (absent, a look-up refused, the ServiceTimeout) leaves a rollback Delete that
removes the user if it exists, and finds nothing (404, SUCCESS) if it does not. A clear refusal (409: the
name is taken, possibly by someone else's user; any other 4xx, a 429/503 after retries, a refused
connection) is FAILED with the placeholder, so that the rollback never deletes a user this stack did not
make. The v3 user list carries no creation time, so before the create is sent the request's record keeps
whether a user of that name is already on the cluster (``in_flight``: the before-list; the name is
unique, so it holds that name or nothing). The look-up never adopts a user that was there before the
call: such a user is someone else's (the create was refused with 409), the create ends FAILED with the
placeholder, and no rollback can delete it. The same look-up answers an invocation killed during the
create (out of memory): the on-failure destination hands the in-flight create over to it. A before-list
that cannot be read fails the Create before it is sent.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from msgspec import Meta

from cbprovider.capella.models import BucketAccess
from cbprovider.errors import ProviderError
from cbprovider.resources.capella.connection import CapellaConnection, client_for, is_capella_id
from cbprovider.resources.pending_create import (
    BEFORE_KEY,
    PendingCreate,
    listed_before,
    outcome_unknown,
    verify_named,
)
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
from cbprovider.runtime.properties import Check

PASSWORD_RULES = (
    (re.compile(r"[a-z]"), "a lower-case letter"),
    (re.compile(r"[A-Z]"), "an upper-case letter"),
    (re.compile(r"[0-9]"), "a digit"),
    (re.compile(r"[^A-Za-z0-9]"), "a symbol"),
)
Access = Literal["data_reader", "data_writer"]


def _cluster_id(value: str) -> str:
    if not is_capella_id(value):
        raise ValueError("must be a Capella cluster id (a UUID)")
    return value


class BucketAccessProperties(PropertiesModel):
    name: Annotated[str, Meta(min_length=1, max_length=100)]
    scope: Annotated[str, Meta(min_length=1)] = "*"
    """A scope name, or ``*`` (the default) for every scope of the bucket."""
    access: Access


class CapellaDatabaseUserProperties(CapellaConnection):
    cluster_id: Annotated[str, Check(_cluster_id)]
    user_name: Annotated[str, Meta(min_length=1, max_length=128)]
    password_secret_arn: Annotated[str, Meta(min_length=1)]
    all_buckets_access: Access | None = None
    buckets: tuple[BucketAccessProperties, ...] | None = None


Req = Request[CapellaDatabaseUserProperties]


def check(props: CapellaDatabaseUserProperties) -> None:
    if (props.all_buckets_access is None) == (not props.buckets):
        raise ValidationFailed("Invalid Properties: AllBucketsAccess, Buckets: give exactly one of the two")


def physical_id_of(cluster_id: str, user_name: str) -> str:
    return f"{cluster_id}/{user_name}"


def split_physical_id(physical_id: str) -> tuple[str, str] | None:
    """``(cluster_id, user_name)``, or ``None`` for an id this type does not make."""
    cluster_id, slash, user_name = physical_id.partition("/")
    if not slash or not user_name or not is_capella_id(cluster_id):
        return None
    return cluster_id, user_name


def read_password(arn: str, *, stack_id: str) -> str:
    """The password in secret ``arn`` (read afresh, if shared with the stack), checked; never echoed."""
    from cbprovider.secrets.sharing import read_shared_secret_text

    password = read_shared_secret_text(
        arn, property_name="PasswordSecretArn", stack_id=stack_id, json_keys=("password",), max_age=0
    )
    if len(password) < 8 or any(not pattern.search(password) for pattern, _ in PASSWORD_RULES):
        raise ValidationFailed(
            f"PasswordSecretArn: the password in secret {arn} must have at least 8 characters, with "
            + ", ".join(what for _, what in PASSWORD_RULES)
        )
    return password


class CapellaDatabaseUser(ResourceType[CapellaDatabaseUserProperties]):
    type_name = "Custom::CapellaDatabaseUser"
    properties_model = CapellaDatabaseUserProperties
    replacement_properties = frozenset({"UserName", "ClusterId"})

    def in_flight(self, req: Req) -> Mapping[str, Any] | None:
        """Whether a user of this name is already on the cluster (the before-list: the name or nothing)."""
        props = req.properties
        check(props)

        def named() -> list[str]:
            users = client.list_database_users(props.cluster_id, deadline=req.deadline)
            return [user.username for user in users if user.username == props.user_name]

        with client_for(props, req) as client:
            before = listed_before(named, what=f"the database users of cluster {props.cluster_id}")
        return PendingCreate.before_call(name=props.user_name, extra={BEFORE_KEY: before}).to_state()

    def create(self, req: Req) -> Outcome:
        props = req.properties
        check(props)
        physical_id = physical_id_of(props.cluster_id, props.user_name)
        with client_for(props, req) as client:
            password = read_password(props.password_secret_arn, stack_id=req.stack_id)
            since = time.time()
            try:
                client.create_database_user(
                    props.cluster_id,
                    props.user_name,
                    password,
                    all_buckets_access=props.all_buckets_access,
                    buckets=self._buckets(props),
                    deadline=req.deadline,
                )
            except ProviderError as error:
                if not outcome_unknown(error):
                    raise
                before = PendingCreate.before_in(req.in_flight)
                pending = PendingCreate.after(error, name=props.user_name, since=since, extra=before)
                reported = self._reported(req, pending, physical_id)
                if reported == physical_id:
                    req.note_physical_id(physical_id)
                return pending.in_progress(reported)
        req.note_physical_id(physical_id)
        return Done(physical_id, self._data(props))

    def poll(self, req: Req, state: Mapping[str, Any]) -> Outcome:
        """Continues a create whose outcome was unknown (the only operation that polls)."""
        pending = PendingCreate.from_state(state)
        if pending is None:
            raise ProviderError(f"unknown poll state for {self.type_name}")
        props = req.properties
        physical_id = physical_id_of(props.cluster_id, props.user_name)

        def listed(pending: PendingCreate) -> str | None:
            if pending.existed(props.user_name):
                return None  # someone else's: the create was refused (409), whatever the list says
            users = client.list_database_users(props.cluster_id, deadline=req.deadline)
            return physical_id if any(user.username == props.user_name for user in users) else None

        with client_for(props, req) as client:
            found = verify_named(
                pending,
                listed,
                what="database user",
                physical_id=self._reported(req, pending, physical_id),
                foreign=req.owned_elsewhere,
            )
        if isinstance(found, InProgress):
            return found
        return Done(found, self._data(props))

    def update(self, req: Req) -> Outcome:
        new, old = req.properties, req.old_properties
        check(new)
        unchanged = old is not None and (
            (old.password_secret_arn, old.all_buckets_access, old.buckets)
            == (new.password_secret_arn, new.all_buckets_access, new.buckets)
        )
        if unchanged:
            return Done(str(req.physical_id), self._data(new))
        with client_for(new, req) as client:
            password = read_password(new.password_secret_arn, stack_id=req.stack_id)
            client.delete_database_user(new.cluster_id, new.user_name, deadline=req.deadline)
            logger.info("Recreating the database user with its new password or access")
            client.create_database_user(
                new.cluster_id,
                new.user_name,
                password,
                all_buckets_access=new.all_buckets_access,
                buckets=self._buckets(new),
                deadline=req.deadline,
            )
        return Done(str(req.physical_id), self._data(new))

    def delete(self, req: Req) -> Outcome:
        parts = split_physical_id(str(req.physical_id))
        assert parts is not None, "owns_physical_id lets only well-formed ids through"
        with client_for(req.properties, req) as client:
            deleted = client.delete_database_user(*parts, deadline=req.deadline)
        return Done(str(req.physical_id), reason=None if deleted else "already deleted")

    def owns_physical_id(self, physical_id: str) -> bool:
        return split_physical_id(physical_id) is not None

    @staticmethod
    def _reported(req: Req, pending: PendingCreate, physical_id: str) -> str:
        """The id a pending create reports until it is found: the user's own (a rollback Delete then
        removes it if it exists), or the placeholder when a user of that name was there before the call
        (it is someone else's: no rollback may delete it)."""
        if pending.existed(req.properties.user_name):
            return placeholder_id(req.logical_id, req.request_id)
        return physical_id

    @staticmethod
    def _buckets(props: CapellaDatabaseUserProperties) -> tuple[BucketAccess, ...]:
        return tuple(BucketAccess(b.name, b.scope, b.access) for b in props.buckets or ())

    @staticmethod
    def _data(props: CapellaDatabaseUserProperties) -> dict[str, str]:
        return {"UserName": props.user_name, "ClusterId": props.cluster_id}
