"""``Source`` / ``Destination`` of a CloudBasic replication: properties and resolved connection strings.

An endpoint names its SQL Server either by ``SecretArn`` (an RDS-style secret: ``username``,
``password``, ``host``, ``port``, ``dbname``) or by a ``ConnectionString`` that carries no password
(integrated/AD authentication); exactly one of the two. ``Database`` chooses the database (it overrides
the secret's ``dbname`` and the string's ``Initial Catalog``). The resolved connection string holds the
password read from the secret at the time of the call: it goes into the API request body and nowhere
else (its ``repr`` hides it).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from cbprovider.hidden_repr import repr_hiding
from cbprovider.resources.cloudbasic import sql_connection as sql
from cbprovider.runtime.properties import Check, PropertiesModel, ValidationFailed, values
from cbprovider.secrets.sharing import read_shared_secret_json

ROLE_FIELDS = frozenset({"secret_arn", "connection_string", "database"})
"""What says which server and database an endpoint is (the rest are create-time options)."""
SECRET_MAX_AGE = 5
"""Seconds a database secret is cached: long enough for the reads of one request, short enough that an
Update right after a rotation sends the new password (the runtime's default keeps secrets 5 minutes)."""


def _no_password(value: str) -> str:
    try:
        pairs = sql.parse(value)
    except sql.ConnectionStringError as error:
        raise ValueError(f"not a SQL Server connection string ({error})") from None
    if any(key in sql.PASSWORD_KEYS for key, _ in pairs):
        raise ValueError(
            "must not contain a password: put the credentials in a secret and use SecretArn instead"
        )
    if sql.first(pairs, sql.SERVER_KEYS) is None:
        raise ValueError("names no server (Data Source)")
    return value


class Endpoint(PropertiesModel):
    secret_arn: str | None = None
    connection_string: Annotated[str, Check(_no_password)] | None = None
    database: str | None = None
    encrypt_data_in_transit: bool | None = None

    def validate(self) -> None:
        if (self.secret_arn is None) == (self.connection_string is None):
            raise ValueError("give exactly one of SecretArn or ConnectionString")

    def changed_create_options(self, old: Endpoint) -> list[str]:
        """PascalCase names of the options only CreateReplication takes that differ from ``old``."""
        new_values, old_values = values(self, by_name=True), values(old, by_name=True)
        roles = {"SecretArn", "ConnectionString", "Database"}
        return [
            name for name, value in new_values.items() if name not in roles and old_values.get(name) != value
        ]


class SourceEndpoint(Endpoint):
    change_tracking_method: Literal["ChangeTracking", "ChangeDataCapture"] | None = None
    change_tracking_retention_period: str | None = None
    reset_change_tracking: bool | None = None
    user_approval_to_enable_change_tracking: bool | None = None


class DestinationEndpoint(Endpoint):
    azure_server_tier: str | None = None
    azure_max_db_size: str | None = None
    replicate_compatibility_level: bool | None = None
    custom_db_create_script: str | None = None
    pre_seeding_custom_action: str | None = None
    post_seeding_custom_action: str | None = None


class ResolvedEndpoint(msgspec.Struct, frozen=True):
    server: str
    """As given (``host,port`` or the string's Data Source)."""
    database: str
    connection_string: str

    __repr__ = repr_hiding("connection_string")

    @property
    def identity(self) -> tuple[str, str]:
        """What decides replacement: the normalised server and the database (case-insensitive)."""
        return sql.server_identity(self.server), self.database.lower()


def resolve(endpoint: Endpoint, role: str, *, stack_id: str) -> ResolvedEndpoint:
    """The endpoint's server, database and connection string; ``role`` (``Source``) names the property.

    A ``SecretArn`` is read only if the secret is shared with the stack ``stack_id``.
    """
    if endpoint.secret_arn is not None:
        return _from_secret(endpoint, endpoint.secret_arn, role, stack_id)
    assert endpoint.connection_string is not None
    pairs = sql.parse(endpoint.connection_string)
    server = sql.first(pairs, sql.SERVER_KEYS) or ""
    database = endpoint.database or sql.first(pairs, sql.DATABASE_KEYS)
    if not database:
        raise ValidationFailed(f"{role}.Database: required when the ConnectionString has no Initial Catalog")
    kept = [(key, value) for key, value in pairs if key not in sql.DATABASE_KEYS]
    text = sql.build([*_titled(kept), ("Initial Catalog", database)])
    return ResolvedEndpoint(server, database, text)


def identity_of(address: str) -> tuple[str, str] | None:
    """The identity of a connection string as GetReplicationsList shows it (password masked)."""
    pairs = sql.parse(address, lenient=True)
    server, database = sql.first(pairs, sql.SERVER_KEYS), sql.first(pairs, sql.DATABASE_KEYS)
    if not server or not database:
        return None
    return sql.server_identity(server), database.lower()


def _from_secret(endpoint: Endpoint, arn: str, role: str, stack_id: str) -> ResolvedEndpoint:
    context = f"{role}.SecretArn"
    secret = read_shared_secret_json(arn, property_name=context, stack_id=stack_id, max_age=SECRET_MAX_AGE)
    host, user, password = secret.get("host"), secret.get("username"), secret.get("password")
    for name, value in (("host", host), ("username", user), ("password", password)):
        if not isinstance(value, str) or not value:
            raise ValidationFailed(f"{context}: secret {arn} has no {name} string (an RDS-style secret)")
    port = secret.get("port")
    if port not in (None, "") and not str(port).strip().isdigit():
        raise ValidationFailed(f"{context}: secret {arn} has a port that is not a number")
    database = endpoint.database or secret.get("dbname")
    if not isinstance(database, str) or not database:
        raise ValidationFailed(f"{role}.Database: required when the secret {arn} has no dbname")
    server = f"{host},{str(port).strip()}" if port not in (None, "") else str(host)
    text = sql.build(
        [
            ("Data Source", server),
            ("Initial Catalog", database),
            ("User ID", str(user)),
            ("Password", str(password)),
        ]
    )
    return ResolvedEndpoint(server, database, text)


_TITLES = {"data source": "Data Source", "server": "Server", "user id": "User ID", "uid": "User ID"}


def _titled(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Keys back in their usual spelling (``parse`` lower-cases them; SQL Server ignores case anyway)."""
    return [(_TITLES.get(key, key.title()), value) for key, value in pairs]
