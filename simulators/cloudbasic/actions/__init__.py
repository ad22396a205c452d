"""The CloudBasic API actions; importing this package fills ``ACTIONS``."""

from simulators.cloudbasic.actions import (
    cluster,
    instance,
    maintenance,
    pipelines,
    promotion,
    replications,
    service,
    users,
)
from simulators.cloudbasic.actions.registry import ACTIONS, Action, Context

__all__ = [
    "ACTIONS",
    "Action",
    "Context",
    "cluster",
    "instance",
    "maintenance",
    "pipelines",
    "promotion",
    "replications",
    "service",
    "users",
]
