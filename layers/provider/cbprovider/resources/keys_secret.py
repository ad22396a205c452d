"""The provider-owned secret holding a key pair that CloudBasic hands out once (ActivateInstance, CreateUser).

The secret holds ``{"AccessKeyId": ..., "SecretAccessKey": ...}``, the shape the provider reads from a
``CredentialsSecretArn``, so a stack can point other resources at it. A Delete request carries no
``Data``, so the secret is found again by its tags: the owner, stack and logical-id tags that
``create_owned_secret`` sets, plus a physical-id tag added here. That lookup needs
``secretsmanager:ListSecrets`` (which IAM grants only on ``*``); the secret's value is never listed.

The private key cannot be had again, so ``issue_keys`` makes sure it always has somewhere to go:

1. the secret is created (with a placeholder value) BEFORE the API is called; if that fails, the API is
   not called at all;
2. right after the call the key pair is written into it, retried within the invocation's deadline,
   before the object is claimed in the state table (a failing table does not cost the key);
3. if that still fails, the key pair is sealed with KMS (``runtime.sealing``) into the poll state and
   the operation goes on polling; each poll unseals it and tries the write again, until it succeeds or
   the operation's ServiceTimeout ends it.

The key pair is never logged and never stored in clear outside its secret.

The invocation may die during the call (killed for memory, the Lambda timeout): the key pair is then lost
with it, since the API shows it in that one answer only. The type's in-flight record
(``ResourceType.in_flight``, ``keys_call_in_flight``) names the call; the on-failure destination hands it
to the type's ``poll``, where ``after_lost_call`` answers: SUCCESS if the pair had reached its secret
before the invocation died, else a FAILED that names the real object (a rollback Delete then acts on it),
says plainly that the pair is lost and what to do, and removes the secret left holding the placeholder.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cbprovider.errors import ProviderError, ResponseFormatError
from cbprovider.runtime import Done, InProgress, Outcome, Request
from cbprovider.runtime.log import logger
from cbprovider.secrets.owned import create_owned_secret, delete_owned_secret, put_owned_secret_value
from cbprovider.secrets.owner_tags import LOGICAL_TAG, OWNER_TAG, STACK_TAG, provider_id, secrets_client

if TYPE_CHECKING:
    from cbprovider.cloudbasic.models import KeyPair

PHYSICAL_TAG = "cfn-replication-provider:physical-id"
PLACEHOLDER = {"Status": "waiting for the key pair the API hands out; written right after the call"}
WRITE_PAUSES = (0.25, 0.5, 1.0)
"""Pauses between the writes of the key pair within one invocation (each only if time is left)."""
SEAL_RESERVE = 5.0
"""Seconds of the invocation kept for sealing the key pair and saving the poll state."""
KEYS_POLL_SECONDS = 60
STATE_SECRET = "keys_secret_arn"  # noqa: S105 (a state field name)
STATE_SEALED = "sealed_keys"
STATE_IN_FLIGHT = "keys_call_in_flight"
"""The in-flight record's field: the call that hands out a key pair (``CreateUser``...)."""
STATE_BEFORE = "keys_secrets_before"
"""The in-flight record's field: the ARNs of the keys secrets that existed before the call."""
_HINT_CHARS = re.compile(r"[^A-Za-z0-9_.@-]")


class KeysSecretMissing(ProviderError):
    """The owned secret with a resource's keys cannot be found."""


class KeysNotStored(ProviderError):
    """The API handed out a key pair that could neither be written to its secret nor kept sealed."""


class KeysLost(ProviderError):
    """The call that hands out a key pair was in flight when its invocation died: the pair is lost."""


def issue_keys(
    kind: str,
    req: Request[Any],
    physical_id: str,
    *,
    operation: str,
    call: Callable[[], KeyPair],
    data: Callable[[str], Mapping[str, str]],
) -> Outcome:
    """Create the keys secret, ``call`` the API that hands out a key pair, and keep the pair in it.

    ``data`` gives the resource's attributes from the secret's ARN. Returns ``Done``, or ``InProgress``
    with the key pair sealed in the state when the secret cannot be written yet (``finish_keys`` polls).
    """
    arn = create_owned_secret(
        f"{kind}/{_HINT_CHARS.sub('-', physical_id)[:100]}",
        PLACEHOLDER,
        stack_id=req.stack_id,
        logical_id=req.logical_id,
        extra_tags={PHYSICAL_TAG: physical_id},
    )
    try:
        keys = call()
        if not keys.public_key or not keys.private_key:
            raise ResponseFormatError(
                service="CloudBasic", operation=operation, reason="the answer has no publicKey/privateKey"
            )
    except BaseException:
        _discard(arn, req)
        raise
    value = {"AccessKeyId": keys.public_key, "SecretAccessKey": keys.private_key}
    # The key pair exists nowhere else: it goes into its secret before anything else can fail (the
    # object's claim in the state table included).
    written = _write(arn, value, req)
    req.note_physical_id(physical_id)
    if written:
        return Done(physical_id, dict(data(arn)))
    context = _context(req, arn)
    try:
        from cbprovider.runtime.sealing import seal

        sealed = seal(value, context=context)
    except ProviderError as error:
        if _write(arn, value, req, pauses=()):
            return Done(physical_id, dict(data(arn)))
        raise KeysNotStored(
            f"CloudBasic {operation} handed out the key pair of {physical_id}, but it could not be written "
            f"to secret {arn} nor kept sealed for a retry ({error}); it cannot be read again"
        ) from None
    logger.warning(
        "The key pair could not be written to its secret yet: kept sealed for the next poll",
        extra={"secret_arn": arn},
    )
    return InProgress(physical_id, {STATE_SECRET: arn, STATE_SEALED: sealed}, KEYS_POLL_SECONDS)


def is_keys_state(state: Mapping[str, Any]) -> bool:
    """Whether a poll state is the one ``issue_keys`` left (a key pair waiting to be written)."""
    return isinstance(state.get(STATE_SECRET), str) and isinstance(state.get(STATE_SEALED), str)


def finish_keys(
    req: Request[Any], state: Mapping[str, Any], *, data: Callable[[str], Mapping[str, str]]
) -> Outcome:
    """A poll of ``issue_keys``'s ``InProgress``: unseal the key pair and write it to its secret."""
    from cbprovider.runtime.sealing import unseal

    arn, physical_id = str(state[STATE_SECRET]), str(req.physical_id)
    value = unseal(str(state[STATE_SEALED]), context=_context(req, arn))
    if _write(arn, value, req):
        logger.info("Wrote the key pair kept sealed since the API handed it out", extra={"secret_arn": arn})
        return Done(physical_id, dict(data(arn)))
    return InProgress(physical_id, dict(state), KEYS_POLL_SECONDS)


def keys_call_in_flight(operation: str, req: Request[Any], physical_id: str) -> dict[str, Any]:
    """The in-flight record of ``operation`` (the call that hands out the key pair), kept before the
    keys secret is made: should the invocation die, the type's ``poll`` is given it (``after_lost_call``).
    It lists the keys secrets of ``physical_id`` that exist already (a replacement that keeps the name
    finds the old object's): they are not this call's, whatever they hold."""
    return {STATE_IN_FLIGHT: operation, STATE_BEFORE: find_keys_secrets(req, physical_id)}


def is_call_in_flight(state: Mapping[str, Any]) -> bool:
    """Whether a poll state is an in-flight record handed over after the invocation died."""
    return isinstance(state.get(STATE_IN_FLIGHT), str)


def after_lost_call(
    req: Request[Any],
    physical_id: str,
    *,
    state: Mapping[str, Any],
    data: Callable[[str], Mapping[str, str]],
    lost: Callable[[str], str],
) -> Done:
    """Answer a call that was in flight when its invocation died (see the module docstring).

    ``physical_id`` (known before the call) is noted first, so that every FAILED from here names it.
    If a keys secret of it that ``state`` does not list as there before the call holds a key pair, the
    pair was written before the invocation died: ``Done``. Otherwise every such secret (holding the
    placeholder) is removed and ``KeysLost`` is raised
    with ``lost(removed)``, ``removed`` saying what became of the secret.
    """
    req.note_physical_id(physical_id)
    sm = secrets_client()
    before = {str(arn) for arn in state.get(STATE_BEFORE) or ()}
    arns = [arn for arn in find_keys_secrets(req, physical_id, client=sm) if arn not in before]
    kept = [arn for arn in arns if holds_key_pair(arn, client=sm)]
    if kept:
        logger.warning(
            "The invocation died after the key pair was written to its secret: the create is complete",
            extra={"secret_arn": kept[-1]},
        )
        return Done(physical_id, dict(data(kept[-1])))
    removed = sum(delete_owned_secret(arn, stack_id=req.stack_id, client=sm) for arn in arns)
    raise KeysLost(
        lost(
            "its keys secret, which held only a placeholder, was removed"
            if removed
            else "no keys secret was left"
        )
    )


def holds_key_pair(arn: str, *, client: Any = None) -> bool:
    """Whether the owned secret ``arn`` holds a key pair (not the placeholder); the value is not kept."""
    sm = client or secrets_client()
    try:
        value = json.loads(sm.get_secret_value(SecretId=arn)["SecretString"])
    except (KeyError, TypeError, ValueError):  # a binary secret, or text that is not JSON
        return False
    return isinstance(value, dict) and bool(value.get("AccessKeyId")) and bool(value.get("SecretAccessKey"))


def _write(
    arn: str, value: dict[str, str], req: Request[Any], *, pauses: tuple[float, ...] = WRITE_PAUSES
) -> bool:
    """Write ``value`` into the owned secret, retrying after each of ``pauses`` while time is left."""
    for pause in (0.0, *pauses):
        if pause:
            if req.deadline.remaining() < pause + SEAL_RESERVE:
                break
            time.sleep(pause)
        try:
            put_owned_secret_value(arn, value, stack_id=req.stack_id)
            return True
        except Exception as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code") or type(error).__name__
            logger.warning(
                "Writing the key pair to its secret failed", extra={"secret_arn": arn, "error": code}
            )
    return False


def _discard(arn: str, req: Request[Any]) -> None:
    """Remove the placeholder secret of a call that handed out no key pair (a failure is only logged)."""
    try:
        delete_owned_secret(arn, stack_id=req.stack_id)
    except Exception as error:
        code = getattr(error, "response", {}).get("Error", {}).get("Code") or type(error).__name__
        logger.warning("Could not remove an unused keys secret", extra={"secret_arn": arn, "error": code})


def _context(req: Request[Any], arn: str) -> dict[str, str]:
    """The KMS encryption context: sealed keys open only for their stack and secret."""
    return {"cfn-replication-provider:stack-id": req.stack_id, "cfn-replication-provider:secret": arn}


def find_keys_secrets(req: Request[Any], physical_id: str, *, client: Any = None) -> list[str]:
    """ARNs (oldest first) of the provider's secrets for this stack, logical and physical id.

    Secrets already scheduled for deletion are left out.
    """
    sm = client or secrets_client()
    wanted = {
        OWNER_TAG: provider_id()[:256],
        STACK_TAG: req.stack_id[:256],
        LOGICAL_TAG: req.logical_id[:256],
        PHYSICAL_TAG: physical_id[:256],
    }
    found: list[tuple[str, str]] = []
    paginator = sm.get_paginator("list_secrets")
    pages = paginator.paginate(
        Filters=[
            {"Key": "tag-key", "Values": [PHYSICAL_TAG]},
            {"Key": "tag-value", "Values": [physical_id[:256]]},
        ]
    )
    for page in pages:
        for entry in page.get("SecretList", []):
            tags = {t.get("Key"): t.get("Value") for t in entry.get("Tags", [])}
            if entry.get("DeletedDate") or any(tags.get(k) != v for k, v in wanted.items()):
                continue
            found.append((str(entry.get("CreatedDate", "")), str(entry["ARN"])))
    return [arn for _, arn in sorted(found)]


def find_keys_secret(req: Request[Any], physical_id: str, *, client: Any = None) -> str:
    """The one secret ``find_keys_secrets`` finds (the newest ARN if there are several)."""
    found = find_keys_secrets(req, physical_id, client=client)
    if not found:
        raise KeysSecretMissing(
            f"the provider's keys secret for {physical_id} ({req.logical_id}) was not found; "
            "it was deleted outside the stack"
        )
    return found[-1]


def remove_keys_secrets(req: Request[Any], physical_id: str, *, client: Any = None) -> int:
    """Schedule every keys secret of this resource for deletion; how many were removed."""
    sm = client or secrets_client()
    return sum(
        delete_owned_secret(arn, stack_id=req.stack_id, client=sm)
        for arn in find_keys_secrets(req, physical_id, client=sm)
    )
