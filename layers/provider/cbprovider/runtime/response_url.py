"""Where an answer may go: CloudFormation's response bucket of this region, checked once into a value.

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

A ``ResponseUrl`` is a URL that passed these checks: ``ResponseUrl.checked`` is its one constructor, and
``response.ResponseSender`` PUTs to nothing else, so an unchecked URL cannot be answered to. The request's
URL is checked by ``genuine.screen_request``; a URL read back from the state table (a poll's, a kept
answer's) is checked again with ``ResponseUrl.stored``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, final
from urllib.parse import urlsplit

from cbprovider.errors import ProviderError
from cbprovider.runtime.log import logger
from cbprovider.runtime.redact import url_without_query

BUCKET_PREFIX = "cloudformation-custom-resource-response-"
HOSTS_ENV = "CFN_RESPONSE_URL_HOSTS"
LOCAL_ENV = "CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS"

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


class NotGenuine(ProviderError):
    """The event is not a CloudFormation request this provider may act on (never answered)."""


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


_CHECKED = object()
"""Proof that ``check_response_url`` passed: held only by ``ResponseUrl.checked``."""


@final
class ResponseUrl:
    """A ResponseURL that passed ``check_response_url`` (made only by ``checked``; never logged whole)."""

    __slots__ = ("value",)
    value: str

    def __init__(self, value: str, proof: object) -> None:
        if proof is not _CHECKED:
            raise TypeError("a ResponseUrl is made only by ResponseUrl.checked")
        self.value = value

    @classmethod
    def checked(cls, url: object, region: str | None, partition: str | None) -> ResponseUrl:
        """``url`` if it is CloudFormation's response bucket of ``region`` (see ``check_response_url``);
        raises ``NotGenuine``."""
        check_response_url(url, region, partition)
        return cls(str(url), _CHECKED)

    @classmethod
    def stored(cls, event: Mapping[str, Any]) -> ResponseUrl | None:
        """The ResponseURL of an event read back from the state table, checked against the function's
        region (``AWS_REGION``); ``None`` (logged) if it fails: nothing is sent to it."""
        try:
            return cls.checked(event.get("ResponseURL"), *own_region())
        except NotGenuine as refusal:
            where = url_without_query(str(event.get("ResponseURL") or ""))
            logger.error("Refusing to send a response", extra={"response_url": where, "why": str(refusal)})
            return None

    def __repr__(self) -> str:
        return f"ResponseUrl({url_without_query(self.value)!r})"
