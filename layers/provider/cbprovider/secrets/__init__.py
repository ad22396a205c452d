"""Secrets Manager secrets: one reader, and the policies on top of it.

- ``reader``: reads a secret (text, JSON object, one value, a key pair), cached; errors are
  ``SecretUnreadable`` naming the field and the ARN, never the value.
- ``sharing``: a secret a resource property names is read only when it is shared with the requesting
  stack (``SecretNotShared`` otherwise).
- ``owned``: the secrets the provider creates for one stack's resources (keys an API handed back).
"""
