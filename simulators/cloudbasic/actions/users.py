"""CreateUser: unique e-mail and user name (case-insensitive), a new key pair that can sign at once.

The response (cut off in the docs after ``PublicKey``) is ``userName``, ``publicKey``, ``privateKey`` (q. 18).
"""

from __future__ import annotations

from simulators.cloudbasic.actions.registry import Context, Payload, action
from simulators.cloudbasic.errors import ApiFault
from simulators.cloudbasic.state import User, new_key_pair


@action("CreateUser")
def create_user(ctx: Context) -> Payload:
    p = ctx.params
    email = p.require("email")
    user_name = p.require("username")
    first = p.require("firstName")
    last = p.require("lastName")
    p.require("password")
    if not p.has("isAdmin"):
        raise ApiFault(f"{p.field_name('isAdmin')} is required")
    is_admin = p.flag("isAdmin")
    for user in ctx.store.users.values():
        if user.email.lower() == email.lower():
            raise ApiFault(f"A user with e-mail {email} already exists")
        if user.user_name.lower() == user_name.lower():
            raise ApiFault(f"A user with user name {user_name} already exists")
    access, secret = new_key_pair()
    ctx.store.add_user(User(user_name, email, first, last, is_admin, access, secret))
    return {"userName": user_name, "publicKey": access, "privateKey": secret}
