"""ActivateInstance (unsigned; authenticated by the instance id in the body) and DeactivateInstance.

Before 12.301 there are no EULA fields: ``agreeToEula`` is neither required nor answered with a URL.

Choices: a repeat ActivateInstance is a 400 ``Instance is already activated`` (q. 20); ``agreeToEula`` must be
true, and ``agreeToVolumeEula`` too when ``isVolumeActivationKey`` is; the answer carries ``publicKey``,
``privateKey``, ``eulaUrl`` and, for volume keys, ``volumeEulaUrl`` (names invented, q. 19). Deactivation
stops the replication service but keeps users, keys and replications, so the instance can be activated again.
"""

from __future__ import annotations

from simulators.cloudbasic.actions.registry import Context, Payload, action
from simulators.cloudbasic.errors import ApiFault
from simulators.cloudbasic.state import User, new_key_pair

EULA_URL = "https://cloudbasic.net/eula/"
VOLUME_EULA_URL = "https://cloudbasic.net/volume-eula/"


@action("ActivateInstance", signed=False)
def activate_instance(ctx: Context) -> Payload:
    p, store = ctx.params, ctx.store
    email = p.require("email")
    instance_id = p.require("instanceId")
    p.require("password")
    if instance_id != store.instance_id:
        raise ApiFault("InstanceId does not match the instance receiving the call")
    eula = store.version.eula
    if eula and not p.flag("agreeToEula"):
        raise ApiFault(f"{p.field_name('agreeToEula')} must be true to activate the instance")
    volume = eula and p.flag("isVolumeActivationKey")
    if volume and not p.flag("agreeToVolumeEula"):
        raise ApiFault(f"{p.field_name('agreeToVolumeEula')} must be true for a volume activation key")
    if volume and not p.has("activationKey"):
        raise ApiFault(f"{p.field_name('activationKey')} is required")
    if store.activated:
        raise ApiFault("Instance is already activated")
    access, secret = store.next_admin_keys or new_key_pair()
    store.next_admin_keys = None
    name = email.split("@", 1)[0] or "admin"
    while name in store.users:
        name += "1"
    store.add_user(User(name, email, "", "", True, access, secret))
    store.admin = (access, secret)
    store.activated = True
    store.service_running = True
    payload: dict[str, object] = {"publicKey": access, "privateKey": secret}
    if eula:
        payload["eulaUrl"] = EULA_URL
    if volume:
        payload["volumeEulaUrl"] = VOLUME_EULA_URL
    return payload


@action("DeactivateInstance", get=True)
def deactivate_instance(ctx: Context) -> Payload:
    if not ctx.store.activated:
        raise ApiFault("Instance is not activated")
    ctx.store.activated = False
    ctx.store.service_running = False
    return None
