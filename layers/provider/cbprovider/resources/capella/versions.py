"""Type names shared by Capella API v3 and v4 (``Custom::CapellaProject``, ``Custom::CapellaCluster``).

The runtime resolves one class per type name, so each such name is served by a ``VersionedType`` that
picks the implementation of the API version its endpoint speaks (the registry's ``ApiVersion``) and
parses the properties with that version's model. Properties of the other version fail naming both
(``Endpoint 'default' speaks Capella API v4; Servers is a v3 property of Custom::CapellaCluster ...``).
Implementations are imported only when a resource of their version arrives.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, ClassVar

import msgspec

from cbprovider.endpoints import capella_endpoint
from cbprovider.endpoints.entries import ENDPOINT_PROPERTY as ENDPOINT
from cbprovider.endpoints.entries import named_by
from cbprovider.errors import ProviderError
from cbprovider.resources.capella.connection import CapellaConnection, endpoint_of
from cbprovider.runtime import Outcome, Request, ResourceType, ValidationFailed
from cbprovider.runtime.properties import parse_properties, property_names, unknown_properties

Version = str


class AnyVersionProperties(CapellaConnection, forbid_unknown_fields=False, dict=True):
    """Only ``Endpoint`` is read first; the rest is kept for the chosen version's model."""

    def raw(self) -> dict[str, Any]:
        """The properties as CloudFormation sent them (with ``Endpoint`` written out)."""
        raw: dict[str, Any] = unknown_properties(self)
        raw[ENDPOINT] = self.endpoint
        if self.service_token is not None:
            raw["ServiceToken"] = self.service_token
        if self.service_timeout is not None:
            raw["ServiceTimeout"] = self.service_timeout
        return raw


class VersionedType(ResourceType[AnyVersionProperties]):
    """Subclasses set ``type_name`` and ``implementations`` (API version -> ``"module:Class"``)."""

    properties_model = AnyVersionProperties
    implementations: ClassVar[Mapping[Version, str]] = {}

    def __init__(self) -> None:
        self._loaded: dict[Version, ResourceType[Any]] = {}

    def implementation(self, version: Version) -> ResourceType[Any]:
        if version not in self._loaded:
            module_name, _, class_name = self.implementations[version].partition(":")
            self._loaded[version] = getattr(importlib.import_module(module_name), class_name)()
        return self._loaded[version]

    def _parse(self, version: Version, endpoint_name: str, raw: Mapping[str, Any]) -> Any:
        model = self.implementation(version).properties_model
        try:
            return parse_properties(model, raw)
        except ValidationFailed:
            known = property_names(model)
            foreign = sorted(
                name
                for other in self.implementations
                if other != version
                for name in set(raw) - known
                if name in property_names(self.implementation(other).properties_model)
            )
            if not foreign:
                raise
            other = next(v for v in self.implementations if v != version)
            are = "is a" if len(foreign) == 1 else "are"
            raise ValidationFailed(
                f"Endpoint {endpoint_name!r} speaks Capella API {version}; {', '.join(foreign)} {are} "
                f"{other} propert{'y' if len(foreign) == 1 else 'ies'} of {self.type_name} (its {version} "
                f"properties are {', '.join(sorted(known - {'ServiceToken', 'ServiceTimeout'}))})"
            ) from None

    def _pick(self, req: Request[AnyVersionProperties]) -> tuple[ResourceType[Any], Request[Any]]:
        endpoint = endpoint_of(req.properties)
        version = endpoint.api_version
        if version not in self.implementations:
            raise ValidationFailed(
                f"Endpoint {endpoint.name!r} speaks Capella API {version}, which {self.type_name} does not"
            )
        properties = self._parse(version, endpoint.name, req.properties.raw())
        old = None
        if req.old_properties is not None:
            try:
                old = self._parse(version, endpoint.name, req.old_properties.raw())
            except ValidationFailed:
                old = None
        chosen = msgspec.structs.replace(req, properties=properties, old_properties=old)
        return self.implementation(version), chosen

    def create(self, req: Request[AnyVersionProperties]) -> Outcome:
        impl, chosen = self._pick(req)
        return impl.create(chosen)

    def update(self, req: Request[AnyVersionProperties]) -> Outcome:
        impl, chosen = self._pick(req)
        return impl.update(chosen)

    def delete(self, req: Request[AnyVersionProperties]) -> Outcome:
        impl, chosen = self._pick(req)
        return impl.delete(chosen)

    def poll(self, req: Request[AnyVersionProperties], state: Mapping[str, Any]) -> Outcome:
        impl, chosen = self._pick(req)
        return impl.poll(chosen, state)

    def in_flight(self, req: Request[AnyVersionProperties]) -> Mapping[str, Any] | None:
        """The chosen version's; ``None`` when none can be chosen (the create then fails, saying why)."""
        try:
            impl, chosen = self._pick(req)
        except ProviderError:
            return None
        return impl.in_flight(chosen)

    def owns_physical_id(self, physical_id: str) -> bool:
        return any(self.implementation(v).owns_physical_id(physical_id) for v in self.implementations)

    def requires_replacement(self, new: Mapping[str, Any], old: Mapping[str, Any], *, stack_id: str) -> bool:
        """The rule of the version the new properties' endpoint speaks."""
        version = capella_endpoint(named_by(new)).api_version
        if version not in self.implementations:
            return False  # the operation itself fails, naming the version
        return self.implementation(version).requires_replacement(new, old, stack_id=stack_id)


class CapellaProjectType(VersionedType):
    type_name = "Custom::CapellaProject"
    implementations = {
        "v3": "cbprovider.resources.capella.project:CapellaProject",
        "v4": "cbprovider.resources.capella.project_v4:CapellaProjectV4",
    }


class CapellaClusterType(VersionedType):
    type_name = "Custom::CapellaCluster"
    implementations = {
        "v3": "cbprovider.resources.capella.cluster:CapellaCluster",
        "v4": "cbprovider.resources.capella.cluster_v4:CapellaClusterV4",
    }
