"""The endpoint registry read from (moto's) SSM: entries, defaults, refusals, listing across pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from simulators.stack import local_aws, register_endpoint

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cloudbasic/admin-AbCdEf"
ORG = "6af08c0a-8cab-4c1c-b257-b521575c16d0"


def public(host: str, port: int) -> list[str]:
    """A resolver that answers every name with one public address."""
    return ["203.0.113.10"]


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    with local_aws() as boto3:
        monkeypatch.delenv("CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS", raising=False)
        yield boto3.client("ssm")


def test_a_cloudbasic_entry_reads_with_its_defaults(ssm: object) -> None:
    from cbprovider.endpoints import CloudBasicEndpoint, cloudbasic_endpoint

    register_endpoint("cloudbasic", "default", "https://10.0.1.10:4432/", credentials_secret_arn=ARN)
    assert cloudbasic_endpoint("default") == CloudBasicEndpoint(
        name="default",
        url="https://10.0.1.10:4432",
        credentials_secret_arn=ARN,
        ca_bundle_secret_arn=None,
        signing_region="us-east-1",
        signing_service="cloudbasic",
        allow_plaintext_http=False,
    )


def test_a_blank_signing_region_can_be_chosen_and_plain_http_allowed(ssm: object) -> None:
    from cbprovider.endpoints import cloudbasic_endpoint

    register_endpoint(
        "cloudbasic", "port82", "http://10.0.1.10:82", SigningRegion="", AllowPlaintextHttp=True
    )
    entry = cloudbasic_endpoint("port82")
    assert (entry.signing_region, entry.allow_plaintext_http, entry.credentials_secret_arn) == (
        "",
        True,
        None,
    )


def test_plain_http_needs_the_flag(ssm: object) -> None:
    from cbprovider.endpoints import EndpointInvalid, cloudbasic_endpoint

    register_endpoint("cloudbasic", "port82", "http://10.0.1.10:82")
    with pytest.raises(EndpointInvalid, match=r"cloudbasic endpoint 'port82': Url: must be https"):
        cloudbasic_endpoint("port82")


def test_an_unknown_name_is_named(ssm: object) -> None:
    from cbprovider.endpoints import UnknownEndpoint, cloudbasic_endpoint

    with pytest.raises(UnknownEndpoint, match=r"no cloudbasic endpoint named 'elsewhere'"):
        cloudbasic_endpoint("elsewhere")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"AllowPlaintextHtp": True}, "AllowPlaintextHtp: unknown key"),
        ({"SigningRegion": "moon"}, "SigningRegion: must be"),
        ({"SigningService": "s3"}, "SigningService: must be one of"),
        ({"AllowPlaintextHttp": "yes"}, "AllowPlaintextHttp: must be true or false"),
        ({"CredentialsSecretArn": 7}, "CredentialsSecretArn: must be a string"),
    ],
)
def test_a_wrong_field_is_named(ssm: object, extra: dict[str, Any], field: str) -> None:
    from cbprovider.endpoints import EndpointInvalid, cloudbasic_endpoint

    register_endpoint("cloudbasic", "bad", "https://10.0.1.10", **extra)
    with pytest.raises(EndpointInvalid, match=rf"cloudbasic endpoint 'bad': {field}"):
        cloudbasic_endpoint("bad")


def test_a_value_that_is_not_an_object_is_refused(ssm) -> None:
    from cbprovider.endpoints import EndpointInvalid, clear_cache, cloudbasic_endpoint, parameter_name

    ssm.put_parameter(Name=parameter_name("cloudbasic", "list"), Value="[1]", Type="String")
    clear_cache()
    with pytest.raises(EndpointInvalid, match="must be a JSON object"):
        cloudbasic_endpoint("list")


def test_a_name_that_leaves_the_vendor_folder_is_refused(ssm: object) -> None:
    from cbprovider.endpoints import EndpointInvalid, cloudbasic_endpoint

    with pytest.raises(EndpointInvalid, match="Name: must be"):
        cloudbasic_endpoint("../capella/default")


def test_a_capella_entry_defaults_to_v4_which_needs_the_organization(ssm: object) -> None:
    from cbprovider.endpoints import EndpointInvalid, capella_endpoint

    register_endpoint(
        "capella", "org", "https://cloudapi.example.com", credentials_secret_arn=ARN, ApiVersion=None
    )
    with pytest.raises(EndpointInvalid, match="OrganizationId: is required for ApiVersion v4"):
        capella_endpoint("org", resolver=public)
    register_endpoint(
        "capella",
        "org",
        "https://cloudapi.example.com",
        credentials_secret_arn=ARN,
        ApiVersion=None,
        OrganizationId=ORG,
    )
    entry = capella_endpoint("org", resolver=public)
    assert (entry.api_version, entry.organization_id) == ("v4", ORG)


def test_a_capella_entry_needs_its_credentials(ssm: object) -> None:
    from cbprovider.endpoints import EndpointInvalid, capella_endpoint

    register_endpoint("capella", "nokeys", "https://cloudapi.example.com")
    with pytest.raises(EndpointInvalid, match="CredentialsSecretArn: is required"):
        capella_endpoint("nokeys", resolver=public)


def test_the_registry_path_comes_from_the_environment(ssm, monkeypatch: pytest.MonkeyPatch) -> None:
    from cbprovider.endpoints import cloudbasic_endpoint

    monkeypatch.setenv("ENDPOINT_REGISTRY_PATH", "/team/registry/")
    parameter = register_endpoint("cloudbasic", "default", "https://10.0.1.10")
    assert parameter == "/team/registry/cloudbasic/default"
    assert cloudbasic_endpoint().url == "https://10.0.1.10"


def test_listing_reads_every_page_and_reports_bad_entries_apart(ssm) -> None:
    from cbprovider.endpoints import list_capella_endpoints, list_cloudbasic_endpoints

    for number in range(23):  # GetParametersByPath answers at most 10 per page
        register_endpoint("cloudbasic", f"node-{number:02d}", f"https://10.0.2.{number + 1}")
    register_endpoint("cloudbasic", "metadata", "http://169.254.169.254", AllowPlaintextHttp=True)
    register_endpoint("capella", "default", "https://cloudapi.example.com", credentials_secret_arn=ARN)
    listing = list_cloudbasic_endpoints()
    assert [e.name for e in listing.endpoints] == [f"node-{n:02d}" for n in range(23)]
    assert [(e.name, e.field) for e in listing.invalid] == [("metadata", "Url")]
    assert [e.name for e in list_capella_endpoints(resolver=public).endpoints] == ["default"]


def test_entries_are_cached_for_a_short_while(ssm) -> None:
    from cbprovider.endpoints import cloudbasic_endpoint, parameter_name

    register_endpoint("cloudbasic", "default", "https://10.0.1.10")
    assert cloudbasic_endpoint().url == "https://10.0.1.10"
    ssm.put_parameter(
        Name=parameter_name("cloudbasic", "default"),
        Value=json.dumps({"Url": "https://10.0.1.99"}),
        Type="String",
        Overwrite=True,
    )
    assert cloudbasic_endpoint().url == "https://10.0.1.10"


def test_listings_are_cached_for_a_short_while(ssm) -> None:
    from cbprovider.endpoints import list_cloudbasic_endpoints, parameter_name

    register_endpoint("cloudbasic", "one", "https://10.0.1.10")
    assert [e.name for e in list_cloudbasic_endpoints().endpoints] == ["one"]
    ssm.put_parameter(
        Name=parameter_name("cloudbasic", "two"),
        Value=json.dumps({"Url": "https://10.0.1.11"}),
        Type="String",
    )
    assert [e.name for e in list_cloudbasic_endpoints().endpoints] == ["one"]


def test_a_cold_read_calls_nothing_back_in_the_registry(ssm) -> None:
    """The registry asks its cache for a fresh value and, on a miss, reads SSM and keeps the value
    itself: the cache is never handed a loader that calls back into the registry."""
    from cbprovider.endpoints import cloudbasic_endpoint, list_cloudbasic_endpoints

    from tests.runtime.call_path import CallPath

    register_endpoint("cloudbasic", "default", "https://10.0.1.10")
    path = CallPath()
    with path.recording():
        assert cloudbasic_endpoint().url == "https://10.0.1.10"
        assert [e.name for e in list_cloudbasic_endpoints().endpoints] == ["default"]
    assert "layers/provider/cbprovider/aws_reads.py" in path.files
    assert [str(r) for r in path.re_entries] == []
