"""Secrets Manager secrets: one reader, and the policies on top of it.

- ``reader``: reads a secret (text, JSON object, one value, a key pair), cached; errors are
  ``SecretUnreadable`` naming the field and the ARN, never the value.
- ``sharing``: a secret a resource property names is read only when it is shared with the requesting
  stack (``SecretNotShared`` otherwise).
- ``owned``: the secrets the provider creates for one stack's resources (keys an API handed back).
- ``owner_tags``: the tags that say whose a secret is (read by the sharing check too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cbprovider.lazy import lazy_exports

if TYPE_CHECKING:
    from cbprovider.secrets.owned import *  # noqa: F403
    from cbprovider.secrets.reader import *  # noqa: F403
    from cbprovider.secrets.sharing import *  # noqa: F403
else:
    __all__, __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "cbprovider.secrets.reader": (
                "SecretUnreadable",
                "key_pair_in",
                "secret_json",
                "secret_text",
                "secret_value",
            ),
            "cbprovider.secrets.sharing": (
                "SecretNotShared",
                "read_shared_secret_json",
                "read_shared_secret_text",
                "sharing_tags",
            ),
            "cbprovider.secrets.owned": (
                "NotOwnedSecret",
                "create_owned_secret",
                "delete_owned_secret",
                "put_owned_secret_value",
            ),
        },
    )
