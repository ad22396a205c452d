"""The endpoint registry: the only places the provider calls, registered by the operator.

A resource names an endpoint (``Endpoint: <Name>``); it never chooses a URL or the secrets the provider
signs with. See ``registry`` (where entries live and how they are read), ``entries`` (their JSON) and
``addresses`` (where a URL may point).
"""

from cbprovider.endpoints.addresses import (
    ALLOW_LOCAL_ENV,
    AddressRefused,
    Origin,
    check_url,
    local_endpoints_allowed,
)
from cbprovider.endpoints.entries import (
    DEFAULT_NAME,
    DEFAULT_SIGNING_REGION,
    NAME_PATTERN,
    VENDORS,
    CapellaEndpoint,
    CloudBasicEndpoint,
    Endpoint,
    EndpointInvalid,
    UnknownEndpoint,
    Vendor,
    capella_from_json,
    check_name,
    cloudbasic_from_json,
)
from cbprovider.endpoints.registry import (
    DEFAULT_PATH,
    MAX_AGE,
    PATH_ENV,
    Listing,
    RegistryUnreadable,
    capella_endpoint,
    check_entry,
    clear_cache,
    cloudbasic_endpoint,
    list_capella_endpoints,
    list_cloudbasic_endpoints,
    parameter_name,
    registry_path,
)

__all__ = [
    "ALLOW_LOCAL_ENV",
    "DEFAULT_NAME",
    "DEFAULT_PATH",
    "DEFAULT_SIGNING_REGION",
    "MAX_AGE",
    "NAME_PATTERN",
    "PATH_ENV",
    "VENDORS",
    "AddressRefused",
    "CapellaEndpoint",
    "CloudBasicEndpoint",
    "Endpoint",
    "EndpointInvalid",
    "Listing",
    "Origin",
    "RegistryUnreadable",
    "UnknownEndpoint",
    "Vendor",
    "capella_endpoint",
    "capella_from_json",
    "check_entry",
    "check_name",
    "check_url",
    "clear_cache",
    "cloudbasic_endpoint",
    "cloudbasic_from_json",
    "list_capella_endpoints",
    "list_cloudbasic_endpoints",
    "local_endpoints_allowed",
    "parameter_name",
    "registry_path",
]
