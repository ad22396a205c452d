"""Is this event a request from CloudFormation, for a stack of this account and region? (No API call.)

The provider is shared by every stack of its account and region, and anyone allowed to invoke the
function can hand it any event. Before anything is done or answered, an event must look like what
CloudFormation sends (``screen_request``); ``confirmation`` then asks CloudFormation itself.

**ResponseURL.** CloudFormation answers custom resources through a presigned S3 URL in a bucket of its
own per region, ``cloudformation-custom-resource-response-<region without dashes>`` (AWS user guide,
"Setting up VPC endpoints for CloudFormation": allow ``arn:aws:s3:::cloudformation-custom-resource-
response-<RegionWithoutDashes>/*``, e.g. ``uswest2``). Seen in real events: the virtual-hosted global
form ``...-useast1.s3.amazonaws.com``, the dash-region form ``...-euwest1.s3-eu-west-1.amazonaws.com``
and the dot-region form ``...-useast1.s3.us-east-1.amazonaws.com``. The DNS suffix is the partition's
(botocore ``partitions.json``: ``amazonaws.com``, ``amazonaws.com.cn``, ``amazonaws.eu``,
``c2s.ic.gov``, ``sc2s.sgov.gov``, ``cloud.adc-e.uk``, ``csp.hci.ic.gov``). Accepted: ``https``, no user
info, no port other than 443, and the whole host name (lower case, no trailing dot) equal to one of
those forms for the function's own region and partition. ``CFN_RESPONSE_URL_HOSTS`` (comma-separated
exact host names, any port, never set by the template) adds local receivers over https; plain http for
them only with ``CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS=true``.

**StackId.** ``arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`` with the partition,
region and account of the function's own ARN (the Lambda context's ``invoked_function_arn``).

**Poll events.** Exactly ``{"CfnProviderPoll": "poll#<40 hex>"}``: the EventBridge target Input that
``polling`` writes, nothing more.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cbprovider.errors import ProviderError
from cbprovider.runtime.log import logger
from cbprovider.runtime.polling import POLL_KEY, poll_key_of

BUCKET_PREFIX = "cloudformation-custom-resource-response-"
HOSTS_ENV = "CFN_RESPONSE_URL_HOSTS"
LOCAL_ENV = "CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS"
POLL_FIELD = POLL_KEY

DNS_SUFFIXES = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
    "aws-eusc": "amazonaws.eu",
    "aws-iso": "c2s.ic.gov",
    "aws-iso-b": "sc2s.sgov.gov",
    "aws-iso-e": "cloud.adc-e.uk",
    "aws-iso-f": "csp.hci.ic.gov",
}
"""Partition -> DNS suffix (botocore's partitions.json)."""

_REGION_PREFIXES = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("eusc-", "aws-eusc"),
)
_FUNCTION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):lambda:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):(?P<account>\d{12}):function:"
)
_STACK_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):cloudformation:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"stack/[A-Za-z][A-Za-z0-9-]{0,127}/[A-Za-z0-9-]{1,64}"
)


class NotGenuine(ProviderError):
    """The event is not a CloudFormation request this provider may act on (never answered)."""


@dataclass(frozen=True)
class FunctionIdentity:
    """Where the function runs: from its own ARN, which the caller cannot choose."""

    partition: str
    region: str
    account: str

    @classmethod
    def of(cls, context: Any) -> FunctionIdentity:
        arn = str(getattr(context, "invoked_function_arn", "") or "")
        found = _FUNCTION_ARN.match(arn)
        if found is None or found["partition"] not in DNS_SUFFIXES:
            raise NotGenuine("the function's own ARN (invoked_function_arn) is not a Lambda function ARN")
        return cls(found["partition"], found["region"], found["account"])


def response_hosts(region: str, partition: str) -> frozenset[str]:
    """Every host name of CloudFormation's response bucket for ``region`` in ``partition``."""
    suffix = DNS_SUFFIXES[partition]
    bucket = BUCKET_PREFIX + region.replace("-", "")
    hosts = {f"{bucket}.s3.{region}.{suffix}", f"{bucket}.s3-{region}.{suffix}", f"{bucket}.s3.{suffix}"}
    return frozenset(hosts)


def partition_of(region: str) -> str | None:
    """The partition of a region name (botocore's partitions.json region patterns)."""
    for prefix, partition in _REGION_PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws" if re.fullmatch(r"(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+", region) else None


def own_region() -> tuple[str | None, str | None]:
    """The region (``AWS_REGION``, as Lambda sets it) and its partition, for the response sender."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or ""
    return (region, partition_of(region)) if region else (None, None)


def extra_hosts() -> frozenset[str]:
    """The operator's (or test's) local receivers from ``CFN_RESPONSE_URL_HOSTS``."""
    raw = os.environ.get(HOSTS_ENV, "")
    return frozenset(h.strip().lower() for h in raw.split(",") if h.strip())


def local_endpoints_allowed() -> bool:
    return os.environ.get(LOCAL_ENV, "").strip().lower() == "true"


def check_response_url(url: object, region: str | None, partition: str | None) -> None:
    """Raise ``NotGenuine`` unless ``url`` is CloudFormation's response bucket for ``region`` in
    ``partition`` or a configured receiver (``None``: only a configured receiver)."""
    if not isinstance(url, str) or not url:
        raise NotGenuine("the ResponseURL is missing")
    try:
        split = urlsplit(url)
        host, port = split.hostname or "", split.port
    except ValueError as error:
        raise NotGenuine("the ResponseURL is not a URL") from error
    netloc_host = split.netloc.rsplit(":", 1)[0] if port is not None else split.netloc
    if "@" in split.netloc or netloc_host != host:
        # user info, upper case, IPv6 brackets or anything else that does not read back as the host
        raise NotGenuine("the ResponseURL's host is not written as a plain lower-case host name")
    if host in extra_hosts():
        if split.scheme == "https" or (split.scheme == "http" and local_endpoints_allowed()):
            return
        raise NotGenuine(f"the ResponseURL must be https (plain http needs {LOCAL_ENV}=true)")
    if split.scheme != "https" or port not in (None, 443):
        raise NotGenuine("the ResponseURL must be https on the default port")
    if region is None or partition is None or host not in response_hosts(region, partition):
        raise NotGenuine("the ResponseURL is not CloudFormation's response bucket of this region")


def check_stack_id(stack_id: object, identity: FunctionIdentity) -> None:
    """Raise ``NotGenuine`` unless ``stack_id`` is a stack ARN of the function's own partition, region
    and account."""
    found = _STACK_ARN.fullmatch(stack_id) if isinstance(stack_id, str) else None
    if found is None:
        raise NotGenuine("the StackId is not a CloudFormation stack ARN")
    if (found["partition"], found["region"], found["account"]) != (
        identity.partition,
        identity.region,
        identity.account,
    ):
        raise NotGenuine("the StackId is not a stack of this function's own account and region")


def screen_request(event: Mapping[str, Any], identity: FunctionIdentity) -> None:
    """The checks that need no API call: a CloudFormation request for a stack of ours, answered to
    CloudFormation. Raises ``NotGenuine``."""
    if event.get("RequestType") not in ("Create", "Update", "Delete"):
        raise NotGenuine("the event is neither a CloudFormation request nor a poll")
    for name in ("RequestId", "LogicalResourceId", "ResourceType"):
        if not isinstance(event.get(name), str) or not event.get(name):
            raise NotGenuine(f"the request has no {name}")
    check_response_url(event.get("ResponseURL"), identity.region, identity.partition)
    check_stack_id(event.get("StackId"), identity)


def poll_key(event: Mapping[str, Any]) -> str | None:
    """The state key of a poll event; ``None`` if ``event`` does not carry the poll field at all.

    Raises ``NotGenuine`` for an event that carries the poll field but is not exactly a poll event.
    """
    if POLL_FIELD not in event:
        return None
    key = poll_key_of(event)
    if key is None:
        raise NotGenuine('a poll event must be exactly {"CfnProviderPoll": "poll#<40 hex>"}')
    return key


def log_refusal(event: Mapping[str, Any], refusal: Exception) -> None:
    """One warning naming the request (never its URL, properties or the whole event)."""

    def field(name: str) -> str:
        value = event.get(name) if isinstance(event, Mapping) else None
        return value[:300] if isinstance(value, str) else type(value).__name__

    logger.warning(
        "Not a genuine CloudFormation request: not acted on, not answered",
        extra={
            "why": str(refusal),
            "request_type": field("RequestType"),
            "resource_type": field("ResourceType"),
            "logical_resource_id": field("LogicalResourceId"),
            "physical_id": field("PhysicalResourceId"),
            "stack_id": field("StackId"),
            "request_id": field("RequestId"),
        },
    )
