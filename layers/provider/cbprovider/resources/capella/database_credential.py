"""``Custom::CapellaDatabaseCredential``: a database credential of a v4 cluster (``.../users``; v4 only).

Physical id: the credential id (a UUID). ``Name``, ``ProjectId`` and ``ClusterId`` replace; ``Access``
and the password change in place (``PUT`` with ``If-Match``, one re-apply after a concurrent change).

``PasswordSecretArn`` (optional) names a secret holding the password as plain text or
``{"password": ...}``; it is read afresh on every Create and Update (a rotated value is applied by the
next Update) and checked before any call: 8-256 characters with an upper- and a lower-case letter, a
digit and a special character, none of the characters the API forbids (``< > ; . * & | £``). Without
it the API generates the password and the provider stores ``{"username", "password"}`` in a secret it
owns (tagged with the stack, logical and physical id; removed by the Delete); the ``PasswordSecretArn``
attribute names whichever secret holds the password. A password is never logged or put in a reason.

A create whose outcome is unknown is verified at later polls by the name; an adopted credential's
password is unknown, so it is set again (the given one, or a new one generated here).
"""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from msgspec import Meta

from cbprovider.errors import ProviderError
from cbprovider.resources.capella.connection import is_capella_id
from cbprovider.resources.capella.v4_connection import InCluster, v4_client_for
from cbprovider.resources.keys_secret import PHYSICAL_TAG, find_keys_secrets, remove_keys_secrets
from cbprovider.resources.pending_create import PendingCreate, created_since, outcome_unknown, verify_named
from cbprovider.runtime import (
    Done,
    Outcome,
    PropertiesModel,
    Request,
    ResourceType,
    ValidationFailed,
)
from cbprovider.runtime.ids import placeholder_id
from cbprovider.secrets.owned import create_owned_secret

if TYPE_CHECKING:
    from cbprovider.capella.v4 import Access, CapellaV4Client

FORBIDDEN = frozenset("<>;.*&|£")
NAME_FORBIDDEN = frozenset(')(><,;:"\\/][?=}{ ')


class ScopeProperties(PropertiesModel):
    name: Annotated[str, Meta(min_length=1, max_length=251)]
    collections: tuple[str, ...] = ()


class BucketProperties(PropertiesModel):
    name: Annotated[str, Meta(min_length=1, max_length=100)]
    scopes: tuple[ScopeProperties, ...] = ()


class ResourcesProperties(PropertiesModel):
    buckets: tuple[BucketProperties, ...] = ()


class AccessProperties(PropertiesModel):
    privileges: Annotated[
        tuple[Literal["data_reader", "data_writer", "read", "write"], ...], Meta(min_length=1)
    ]
    resources: ResourcesProperties | None = None
    """Absent: every bucket of the cluster."""


class CapellaDatabaseCredentialProperties(InCluster):
    name: Annotated[str, Meta(min_length=2, max_length=128)]
    password_secret_arn: Annotated[str, Meta(min_length=1)] | None = None
    access: Annotated[tuple[AccessProperties, ...], Meta(min_length=1)]


Req = Request[CapellaDatabaseCredentialProperties]


def check_name(name: str) -> None:
    if name.startswith("@") or any(ch in NAME_FORBIDDEN for ch in name):
        raise ValidationFailed(
            "Invalid Properties: Name: must not start with '@' nor hold spaces or any of "
            ') ( > < , ; : " \\ / ] [ ? = } {'
        )


def read_password(arn: str, *, stack_id: str) -> str:
    """The password in secret ``arn`` (shared with the stack, read afresh), checked against the API's
    rules; never echoed."""
    from cbprovider.secrets.sharing import read_shared_secret_text

    password = read_shared_secret_text(
        arn, property_name="PasswordSecretArn", stack_id=stack_id, json_keys=("password",), max_age=0
    )
    classes = (str.isupper, str.islower, str.isdigit, lambda ch: not ch.isalnum())
    if not 8 <= len(password) <= 256 or not all(any(t(ch) for ch in password) for t in classes):
        raise ValidationFailed(
            f"PasswordSecretArn: the password in secret {arn} must have 8-256 characters with an upper-case "
            "letter, a lower-case letter, a digit and a special character"
        )
    if any(ch in FORBIDDEN for ch in password):
        raise ValidationFailed(
            f"PasswordSecretArn: the password in secret {arn} holds a character Capella refuses "
            "(any of < > ; . * & | £)"
        )
    return password


def generated_password() -> str:
    """A password the API accepts: 24 characters of every required class, none it forbids."""
    pools = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "!#$%^()-_=+")
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice("".join(pools)) for _ in range(20)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def access_of(props: CapellaDatabaseCredentialProperties) -> list[Access]:
    from cbprovider.capella.v4 import Access, ResourceBucket, ResourceScope

    return [
        Access(
            privileges=tuple(a.privileges),
            buckets=tuple(
                ResourceBucket(b.name, tuple(ResourceScope(s.name, s.collections) for s in b.scopes))
                for b in (a.resources.buckets if a.resources else ())
            ),
        )
        for a in props.access
    ]


class CapellaDatabaseCredential(ResourceType[CapellaDatabaseCredentialProperties]):
    type_name = "Custom::CapellaDatabaseCredential"
    properties_model = CapellaDatabaseCredentialProperties
    replacement_properties = frozenset({"ProjectId", "ClusterId", "Name"})

    def in_flight(self, req: Req) -> Mapping[str, Any] | None:
        return PendingCreate.before_call(name=req.properties.name).to_state()

    def create(self, req: Req) -> Outcome:
        from cbprovider.capella.v4 import CredentialSpec

        props = req.properties
        check_name(props.name)
        with v4_client_for(props, req) as client:
            given = (
                read_password(props.password_secret_arn, stack_id=req.stack_id)
                if props.password_secret_arn
                else None
            )
            since = time.time()
            try:
                spec = CredentialSpec(props.name, access_of(props), given)
                created = client.create_database_credential(
                    props.project_id, props.cluster_id, spec, deadline=req.deadline
                )
            except ProviderError as error:
                if not outcome_unknown(error):
                    raise
                pending = PendingCreate.after(error, name=props.name, since=since)
                return pending.in_progress(placeholder_id(req.logical_id, req.request_id))
            req.note_physical_id(created.id)
            return self._done(req, created.id, created.password)

    def poll(self, req: Req, state: Mapping[str, Any]) -> Outcome:
        """Continues a create whose outcome was unknown (the only operation that polls)."""
        pending = PendingCreate.from_state(state)
        if pending is None:
            raise ProviderError(f"unknown poll state for {self.type_name}")
        props = req.properties
        with v4_client_for(props, req) as client:

            def find(pending: PendingCreate) -> str | None:
                found = client.list_database_credentials(
                    props.project_id, props.cluster_id, deadline=req.deadline
                )
                candidates = ((c.name, c.id, c.audit.created_at) for c in found)
                return created_since(candidates, pending, what="database credential")

            found = verify_named(
                pending,
                find,
                what="database credential",
                physical_id=str(req.physical_id),
                foreign=req.owned_elsewhere,
            )
            if not isinstance(found, str):
                return found
            req.note_physical_id(found)
            return self._set_password(client, req, found)

    def update(self, req: Req) -> Outcome:
        with v4_client_for(req.properties, req) as client:
            return self._set_password(client, req, str(req.physical_id))

    def delete(self, req: Req) -> Outcome:
        credential_id, props = str(req.physical_id), req.properties
        with v4_client_for(props, req) as client:
            deleted = client.delete_database_credential(
                props.project_id, props.cluster_id, credential_id, deadline=req.deadline
            )
        remove_keys_secrets(req, credential_id)
        return Done(credential_id, reason=None if deleted else "already deleted")

    def owns_physical_id(self, physical_id: str) -> bool:
        return is_capella_id(physical_id)

    def _set_password(self, client: CapellaV4Client, req: Req, credential_id: str) -> Done:
        """Access, and the password (the given one; else a new one unless an owned secret holds it)."""
        from cbprovider.capella.v4 import CredentialUpdate

        props = req.properties
        password = (
            read_password(props.password_secret_arn, stack_id=req.stack_id)
            if props.password_secret_arn
            else None
        )
        owned = [] if password else find_keys_secrets(req, credential_id)
        if password is None and not owned:
            password = generated_password()
        update = CredentialUpdate(access_of(props), password)
        client.update_database_credential(
            props.project_id, props.cluster_id, credential_id, update, deadline=req.deadline
        )
        if owned:
            return Done(
                credential_id, {"DatabaseCredentialId": credential_id, "PasswordSecretArn": owned[-1]}
            )
        return self._done(req, credential_id, password or "")

    @staticmethod
    def _done(req: Req, credential_id: str, password: str) -> Done:
        props = req.properties
        arn = props.password_secret_arn
        if arn is None:
            arn = create_owned_secret(
                f"capella-credential/{credential_id}",
                {"username": props.name, "password": password},
                stack_id=req.stack_id,
                logical_id=req.logical_id,
                extra_tags={PHYSICAL_TAG: credential_id},
            )
        return Done(credential_id, {"DatabaseCredentialId": credential_id, "PasswordSecretArn": arn})
