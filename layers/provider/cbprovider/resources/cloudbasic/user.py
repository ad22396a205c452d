"""``Custom::CloudBasicUser``: a CloudBasic console/API user and its key pair.

Create calls CreateUser (signed with the provider's or the resource's credentials) and writes the
returned key pair to a provider-owned secret (``KeysSecretArn``, JSON ``AccessKeyId`` /
``SecretAccessKey``, which the operator can name as an endpoint's ``CredentialsSecretArn``). The physical
id is the ``UserName``.

The API has no user update, list or delete. Every user property therefore replaces the user, and since
``UserName`` and ``Email`` must be unique on the appliance, a replacement that keeps either of them fails
on the API: the reason then says to change both. ``Endpoint`` names the appliance; a change of it replaces
the user too (on the other appliance). Rotating the endpoint's admin credentials is a registry change and
touches no user.

Delete removes the keys secret and LEAVES the user on the appliance (there is no DeleteUser), with a
WARNING in the log; remove the user in the CloudBasic console if it must go.

If the invocation dies during CreateUser (killed for memory), the key pair is lost with it: the
on-failure destination hands the in-flight record to ``poll``, which answers FAILED under the
``UserName`` (not a placeholder: the rollback Delete then acts on the user as every Delete does), saying
that the user may exist without usable keys and what to do, and removes the keys secret that held only
its placeholder (``keys_secret.after_lost_call``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from msgspec import Meta

from cbprovider.errors import ApiError, ProviderError
from cbprovider.resources.cloudbasic.connection import CloudBasicConnection, client_for
from cbprovider.resources.keys_secret import (
    after_lost_call,
    find_keys_secret,
    finish_keys,
    is_call_in_flight,
    is_keys_state,
    issue_keys,
    keys_call_in_flight,
    remove_keys_secrets,
)
from cbprovider.runtime import Done, Outcome, Request, ResourceType, is_placeholder
from cbprovider.runtime.log import logger
from cbprovider.runtime.properties import Check
from cbprovider.secrets.sharing import read_shared_secret_text

if TYPE_CHECKING:
    from cbprovider.cloudbasic.models import KeyPair

TYPE_NAME = "Custom::CloudBasicUser"
KEYS_KIND = "cloudbasic-user"
_EXISTS = re.compile(r"already\s+exists?|\bexists\b|\bduplicate\b|\bunique\b", re.IGNORECASE)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


class UserProperties(CloudBasicConnection):
    # Bounded: UserName is the physical id, and the others travel in reasons; 256 is far above any login.
    email: Annotated[str, Meta(max_length=256), Check(_not_blank)]
    user_name: Annotated[str, Meta(max_length=128), Check(_not_blank)]
    first_name: Annotated[str, Meta(max_length=256), Check(_not_blank)]
    last_name: Annotated[str, Meta(max_length=256), Check(_not_blank)]
    password_secret_arn: str
    """Secret with the user's console password: plain text or JSON ``{"password": ...}``."""
    is_admin: bool = False


REPLACING = frozenset({"Email", "UserName", "FirstName", "LastName", "PasswordSecretArn", "IsAdmin"})


class UserAlreadyExists(ProviderError):
    """CreateUser refused the UserName or Email because a user already has it."""


class User(ResourceType[UserProperties]):
    type_name = TYPE_NAME
    properties_model = UserProperties
    replacement_properties = REPLACING

    def in_flight(self, req: Request[UserProperties]) -> Mapping[str, Any] | None:
        return keys_call_in_flight("CreateUser", req, req.properties.user_name)

    def create(self, req: Request[UserProperties]) -> Outcome:
        from cbprovider.cloudbasic import CreateUserRequest

        p = req.properties
        password = read_shared_secret_text(
            p.password_secret_arn,
            property_name="PasswordSecretArn",
            stack_id=req.stack_id,
            json_keys=("password", "Password"),
        )
        request = CreateUserRequest(
            email=p.email,
            username=p.user_name,
            first_name=p.first_name,
            last_name=p.last_name,
            password=password,
            is_admin=p.is_admin,
        )
        with client_for(p, req) as client:

            def create_user() -> KeyPair:
                try:
                    keys = client.create_user(request)
                except ApiError as error:
                    if error.status == 400 and any(_EXISTS.search(m) for m in error.messages):
                        raise UserAlreadyExists(_exists_text(req, error)) from None
                    raise
                logger.info("Created the user", extra={"user_name": p.user_name})
                return keys

            return issue_keys(
                KEYS_KIND,
                req,
                p.user_name,
                operation="CreateUser",
                call=create_user,
                data=functools.partial(_attributes, p.user_name),
            )

    def poll(self, req: Request[UserProperties], state: Mapping[str, Any]) -> Outcome:
        """A key pair kept sealed after CreateUser (its secret could not be written), or a CreateUser whose
        invocation died (handed over by the on-failure destination)."""
        if is_call_in_flight(state):
            name = req.properties.user_name
            data = functools.partial(_attributes, name)
            return after_lost_call(
                req, name, state=state, data=data, lost=functools.partial(_lost_text, name)
            )
        if not is_keys_state(state):
            raise ProviderError(f"unknown poll state for {self.type_name}")
        return finish_keys(req, state, data=functools.partial(_attributes, str(req.physical_id)))

    def update(self, req: Request[UserProperties]) -> Outcome:
        """Only connection settings changed: nothing to call; the attributes stay as they were."""
        user_name = str(req.physical_id)
        return Done(user_name, _attributes(user_name, find_keys_secret(req, user_name)))

    def delete(self, req: Request[UserProperties]) -> Outcome:
        user_name = str(req.physical_id)
        removed = remove_keys_secrets(req, user_name)
        text = (
            f"CloudBasic has no DeleteUser: user {user_name} is left on the appliance "
            f"({'removed its keys secret' if removed else 'no keys secret to remove'}); "
            "remove the user in the CloudBasic console if it must go"
        )
        logger.warning(text, extra={"user_name": user_name})
        return Done(user_name, reason=text)

    def owns_physical_id(self, physical_id: str) -> bool:
        return bool(physical_id.strip()) and not is_placeholder(physical_id)


def _attributes(user_name: str, keys_secret_arn: str) -> dict[str, str]:
    return {"UserName": user_name, "KeysSecretArn": keys_secret_arn}


def _exists_text(req: Request[UserProperties], error: ApiError) -> str:
    p, old = req.properties, req.old_properties
    text = f"CloudBasic CreateUser: {error.message}"
    if error.request_id:
        text += f" (RequestId {error.request_id})"
    if req.request_type == "Update" and old is not None:
        kept = [
            name
            for name, new_value, old_value in (
                ("UserName", p.user_name, old.user_name),
                ("Email", p.email, old.email),
            )
            if new_value.lower() == old_value.lower()
        ]
        return (
            f"{text}. CloudBasic users cannot be updated or deleted, so a change replaces the user, and "
            f"the replacement keeps {' and '.join(kept) or 'a UserName or Email in use'}: change UserName "
            "and Email to replace the user (the old user stays on the appliance)"
        )
    return f"{text}. UserName and Email must be unique on the appliance: choose another UserName and Email"


def _lost_text(user_name: str, removed: str) -> str:
    return (
        f"CloudBasic CreateUser for user {user_name} was in flight when the provider's Lambda invocation "
        "ended without answering (killed, e.g. for running out of memory, or timed out): the user may have "
        "been created, but the key pair CreateUser hands out only in its answer was lost with the "
        f"invocation, and CloudBasic cannot show it again ({removed}). If user {user_name} exists it stays "
        "on the appliance without usable API keys (CloudBasic has no DeleteUser): remove it in the "
        "CloudBasic console, or give this resource another UserName and Email, then retry"
    )
