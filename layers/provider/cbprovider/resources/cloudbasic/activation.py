"""``Custom::CloudBasicActivation``: activate a CloudBasic appliance and keep its first admin's key pair.

Create calls ActivateInstance (unsigned: the instance id in the body is the proof) and writes the
returned admin key pair to a provider-owned secret (``AdminKeysSecretArn``, JSON ``AccessKeyId`` /
``SecretAccessKey``), which the operator can name as the ``CredentialsSecretArn`` of the appliance's
registry entry. The physical id is the EC2 instance id. ``Endpoint`` names the appliance's registry entry;
its ``CredentialsSecretArn`` may be absent (ActivateInstance is unsigned).

An activation cannot be changed: every activation property replaces it, which means activating the
*new* ``InstanceId``; the same instance cannot be activated twice, so a change of any other property
with the same ``InstanceId`` fails with a reason that says so; a change of ``Endpoint`` replaces it too.

Delete: with a licence key (``ActivationKeySecretArn``), DeactivateInstance signed with the admin keys
frees the key for another instance; without one (marketplace editions) there is nothing to free and
the instance stays activated. Either way the keys secret is then removed (a secret that holds no key pair
cannot sign DeactivateInstance: it is only removed).

If the invocation dies during ActivateInstance (killed for memory), the admin key pair is lost with it:
the on-failure destination hands the in-flight record to ``poll``, which answers FAILED under the
``InstanceId`` (so the rollback Delete acts on it), saying that the instance may be activated without
keys the provider holds and what to do, and removes the keys secret that held only its placeholder
(``keys_secret.after_lost_call``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from cbprovider.endpoints.entries import ENDPOINT_PROPERTY as ENDPOINT
from cbprovider.errors import ApiError, ProviderError
from cbprovider.resources.cloudbasic.connection import (
    CloudBasicConnection,
    endpoint_of,
    open_client,
    read_key_pair,
)
from cbprovider.resources.keys_secret import (
    after_lost_call,
    find_keys_secret,
    find_keys_secrets,
    finish_keys,
    holds_key_pair,
    is_call_in_flight,
    is_keys_state,
    issue_keys,
    keys_call_in_flight,
)
from cbprovider.runtime import Done, Outcome, Request, ResourceType, ValidationFailed
from cbprovider.runtime.log import logger
from cbprovider.runtime.properties import Check, values
from cbprovider.secrets.owned import delete_owned_secret
from cbprovider.secrets.sharing import read_shared_secret_text

if TYPE_CHECKING:
    from cbprovider.cloudbasic import CloudBasicClient
    from cbprovider.cloudbasic.models import KeyPair

TYPE_NAME = "Custom::CloudBasicActivation"
KEYS_KIND = "cloudbasic-activation"
_INSTANCE_ID = re.compile(r"^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$")
_ALREADY_ACTIVATED = re.compile(r"already\s+activated", re.IGNORECASE)
_NOT_ACTIVATED = re.compile(r"not\s+activated", re.IGNORECASE)


def _ec2_instance_id(value: str) -> str:
    if not _INSTANCE_ID.match(value):
        raise ValueError("must be an EC2 instance id (i- followed by 8 or 17 hex digits)")
    return value


class ActivationProperties(CloudBasicConnection):
    instance_id: Annotated[str, Check(_ec2_instance_id)]
    """The EC2 instance id of the appliance that receives the call (its own security check)."""
    email: str
    """The first admin's login e-mail."""
    password_secret_arn: str
    """Secret with the admin's initial console password: plain text or JSON ``{"password": ...}``."""
    agree_to_eula: bool
    company: str | None = None
    contact_person: str | None = None
    is_production: bool | None = None
    activation_key_secret_arn: str | None = None
    """BYOL / non-marketplace only: secret with the licence key (plain text or ``{"activationKey": ...}``)."""


REPLACING = frozenset(
    {
        "InstanceId",
        "Email",
        "PasswordSecretArn",
        "AgreeToEula",
        "Company",
        "ContactPerson",
        "IsProduction",
        "ActivationKeySecretArn",
    }
)


class InstanceAlreadyActivated(ProviderError):
    """ActivateInstance refused: the instance was activated before (its admin keys cannot be had again)."""


class ActivationNotChangeable(ProviderError):
    """A property of an activated instance changed while its InstanceId stayed the same."""


class Activation(ResourceType[ActivationProperties]):
    type_name = TYPE_NAME
    properties_model = ActivationProperties
    replacement_properties = REPLACING

    def in_flight(self, req: Request[ActivationProperties]) -> Mapping[str, Any] | None:
        return keys_call_in_flight("ActivateInstance", req, req.properties.instance_id)

    def create(self, req: Request[ActivationProperties]) -> Outcome:
        from cbprovider.cloudbasic import ActivateInstanceRequest

        p = req.properties
        if not p.agree_to_eula:
            raise ValidationFailed(
                "AgreeToEula: must be true: CloudBasic activates an instance only when its EULA is accepted"
            )
        old = req.old_properties
        if req.request_type == "Update" and old is not None and old.instance_id == p.instance_id:
            new_values, old_values = values(p, by_name=True), values(old, by_name=True)
            changed = sorted(n for n in (*REPLACING, ENDPOINT) if new_values.get(n) != old_values.get(n))
            raise ActivationNotChangeable(
                f"{', '.join(changed) or 'a property'} of the activation of {p.instance_id} changed, but an "
                "instance cannot be activated again: to activate another instance change InstanceId; "
                "otherwise restore the previous values"
            )
        password = read_shared_secret_text(
            p.password_secret_arn,
            property_name="PasswordSecretArn",
            stack_id=req.stack_id,
            json_keys=("password", "Password"),
        )
        licence = None
        if p.activation_key_secret_arn:
            licence = read_shared_secret_text(
                p.activation_key_secret_arn,
                property_name="ActivationKeySecretArn",
                stack_id=req.stack_id,
                json_keys=("activationKey", "ActivationKey"),
            )
        request = ActivateInstanceRequest(
            email=p.email,
            instance_id=p.instance_id,
            password=password,
            is_production=p.is_production,
            company=p.company,
            contact_person=p.contact_person,
            activation_key=licence,
            agree_to_eula=True,
        )

        def activate() -> KeyPair:
            with _client(p, req, None) as client:
                try:
                    keys = client.activate_instance(request)
                except ApiError as error:
                    if error.status == 400 and any(_ALREADY_ACTIVATED.search(m) for m in error.messages):
                        raise InstanceAlreadyActivated(
                            f"instance {p.instance_id} is already activated (CloudBasic: {error.message}); "
                            "its admin keys were handed out by the first activation and cannot be read "
                            "again: create a user with those keys instead, or activate a fresh instance"
                        ) from None
                    raise
            logger.info("Activated the instance", extra={"instance_id": p.instance_id})
            return keys

        return issue_keys(
            KEYS_KIND, req, p.instance_id, operation="ActivateInstance", call=activate, data=_attributes
        )

    def poll(self, req: Request[ActivationProperties], state: Mapping[str, Any]) -> Outcome:
        """A key pair kept sealed after ActivateInstance (its secret could not be written), or an
        ActivateInstance whose invocation died (handed over by the on-failure destination)."""
        if is_call_in_flight(state):
            p = req.properties
            lost = functools.partial(_lost_text, p.instance_id, bool(p.activation_key_secret_arn))
            return after_lost_call(req, p.instance_id, state=state, data=_attributes, lost=lost)
        if not is_keys_state(state):
            raise ProviderError(f"unknown poll state for {self.type_name}")
        return finish_keys(req, state, data=_attributes)

    def update(self, req: Request[ActivationProperties]) -> Outcome:
        """Only connection settings changed: nothing to call; the attributes stay as they were."""
        instance_id = str(req.physical_id)
        return Done(instance_id, _attributes(find_keys_secret(req, instance_id)))

    def delete(self, req: Request[ActivationProperties]) -> Outcome:
        instance_id = str(req.physical_id)
        secrets = find_keys_secrets(req, instance_id)
        if not secrets:
            text = f"no keys secret for {instance_id}: nothing to deactivate or remove"
            logger.warning(text, extra={"instance_id": instance_id})
            return Done(instance_id, reason=text)
        if req.properties.activation_key_secret_arn and not holds_key_pair(secrets[-1]):
            text = (
                "the keys secret held no admin key pair (ActivateInstance's answer was lost), so the "
                "instance could not be deactivated; removed the keys secret"
            )
        elif req.properties.activation_key_secret_arn:
            deactivated = self._deactivate(req, instance_id, secrets[-1])
            text = (
                "deactivated and removed the keys secret"
                if deactivated
                else "the instance was no longer activated; removed the keys secret"
            )
        else:
            text = "no licence key: left the instance activated, removed the keys secret"
        for arn in secrets:
            delete_owned_secret(arn, stack_id=req.stack_id)
        logger.info(text, extra={"instance_id": instance_id})
        return Done(instance_id, reason=text)

    def owns_physical_id(self, physical_id: str) -> bool:
        return bool(_INSTANCE_ID.match(physical_id))

    @staticmethod
    def _deactivate(req: Request[ActivationProperties], instance_id: str, secret_arn: str) -> bool:
        """DeactivateInstance with the stored admin keys; False if the instance was not activated."""
        keys = read_key_pair(secret_arn, "AdminKeysSecretArn", stack_id=req.stack_id)
        with _client(req.properties, req, keys) as client:
            try:
                client.deactivate_instance()
            except ApiError as error:
                if error.status == 400 and any(_NOT_ACTIVATED.search(m) for m in error.messages):
                    logger.info("The instance was not activated", extra={"instance_id": instance_id})
                    return False
                raise
        return True


def _lost_text(instance_id: str, licensed: bool, removed: str) -> str:
    licence = ", and its licence key stays bound to it" if licensed else ""
    return (
        f"CloudBasic ActivateInstance for instance {instance_id} was in flight when the provider's Lambda "
        "invocation ended without answering (killed, e.g. for running out of memory, or timed out): the "
        "instance may have been activated, but the admin key pair ActivateInstance hands out only in its "
        "answer was lost with the invocation, and an instance cannot be activated again to get it "
        f"({removed}). If {instance_id} is activated, the provider cannot deactivate it (that needs the lost "
        f"keys){licence}: its admin can still sign in to the appliance's console with Email and the password "
        "of PasswordSecretArn; to manage an appliance through the provider, activate a fresh instance "
        "(another InstanceId)"
    )


def _attributes(keys_secret_arn: str) -> dict[str, str]:
    return {"AdminKeysSecretArn": keys_secret_arn}


def _client(
    props: ActivationProperties, req: Request[ActivationProperties], keys: tuple[str, str] | None
) -> CloudBasicClient:
    """A client for the appliance: unsigned for ActivateInstance, signed with the admin keys otherwise."""
    return open_client(endpoint_of(props), keys, req)
