"""One resource type's world for evidence tests: moto, its API simulator, the response receiver and the
real provider handler's type mapping, driven by ``LocalStack`` like CloudFormation drives it.

The handler is the provider function of functions/<name>/app.py, loaded afresh inside moto
(``simulators.stack.load_handler``); the ``Provider`` serving the requests has exactly that function's
type mapping and timing, except a short delay between response PUT attempts
(``Timing(response_base_delay=0.01)``), so that a response URL that fails twice costs milliseconds
instead of a second and a half.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from cbprovider.secrets.sharing import sharing_tags

from simulators.capella import CapellaSimulator
from simulators.cloudbasic import CloudBasicSimulator
from simulators.cloudformation import ResponseReceiver
from simulators.server import Simulator
from simulators.stack import LocalStack, load_handler, local_aws, register_endpoint

FUNCTIONS = {
    "cloudbasic": "cloudbasic_provider",
    "capella": "capella_provider",
    "capella-v4": "capella_provider",
}
INSTANCE_ID = "i-0123456789abcdef0"
OWNED_PREFIX = "cfn-replication-provider/"
PHYSICAL_TAG = "cfn-replication-provider:physical-id"


def provider_for(family: str) -> Any:
    """The provider function's type mapping and timing, with fast response retries (call inside moto)."""
    from cbprovider.runtime import Provider, Timing

    handler = load_handler(FUNCTIONS[family])
    assert isinstance(handler, Provider)
    mapping = handler.declared
    assert mapping, f"functions/{FUNCTIONS[family]}/app.py declares no resource types"
    return Provider(mapping, timing=Timing(response_base_delay=0.01))


@dataclass
class World:
    family: str
    stack: LocalStack
    receiver: ResponseReceiver
    sm: Any
    api: Simulator
    """The simulator the resource type talks to (CloudBasic or Capella)."""
    baseline: set[str] = field(default_factory=set)
    """API objects that existed before the test's requests (seeded prerequisites)."""

    @property
    def cloudbasic(self) -> CloudBasicSimulator:
        assert isinstance(self.api, CloudBasicSimulator)
        return self.api

    @property
    def capella(self) -> CapellaSimulator:
        assert isinstance(self.api, CapellaSimulator)
        return self.api

    def secret(self, value: str | dict[str, Any]) -> str:
        text = value if isinstance(value, str) else json.dumps(value)
        return str(
            self.sm.create_secret(
                Name=f"evidence/{uuid.uuid4().hex[:12]}", SecretString=text, Tags=sharing_tags()
            )["ARN"]
        )

    def owned_secrets(self) -> dict[str, str]:
        """Live provider-owned secrets: ARN -> the physical id they are tagged with ("" when untagged)."""
        found: dict[str, str] = {}
        for page in self.sm.get_paginator("list_secrets").paginate():
            for entry in page.get("SecretList", []):
                if entry.get("DeletedDate") or not str(entry.get("Name", "")).startswith(OWNED_PREFIX):
                    continue
                tags = {t.get("Key"): t.get("Value") for t in entry.get("Tags", [])}
                found[str(entry["ARN"])] = str(tags.get(PHYSICAL_TAG, ""))
        return found


@contextmanager
def world(family: str, monkeypatch: pytest.MonkeyPatch, *, activated: bool = True) -> Iterator[World]:
    """A world for a resource type of ``family``: ``cloudbasic``, ``capella`` (the ``default`` endpoint
    speaks Capella API v3) or ``capella-v4`` (the same simulator, the endpoint registered as v4)."""
    with ExitStack() as stack:
        aws = stack.enter_context(local_aws())
        receiver = stack.enter_context(ResponseReceiver())
        sm = aws.client("secretsmanager")
        api: Simulator
        if family == "cloudbasic":
            cb = stack.enter_context(
                CloudBasicSimulator(
                    seeding_seconds=0.2, promote_seconds=0.2, instance_id=INSTANCE_ID, activated=activated
                )
            )
            arn = None
            if cb.admin_keys is not None:
                keys = {"AccessKeyId": cb.admin_keys[0], "SecretAccessKey": cb.admin_keys[1]}
                arn = sm.create_secret(Name="cloudbasic/admin", SecretString=json.dumps(keys))["ARN"]
            register_endpoint("cloudbasic", "default", cb.url, credentials_secret_arn=arn)
            api = cb
        else:
            cap = stack.enter_context(
                CapellaSimulator(deploy_seconds=0.2, destroy_seconds=0.1, scale_seconds=0.1)
            )
            if family == "capella-v4":
                # The simulator admits every request; pacing is the client tests' business.
                monkeypatch.setenv("CAPELLA_REQUESTS_PER_MINUTE", "60000")
                token = json.dumps({"ApiKeyToken": cap.v4.token})
                arn = sm.create_secret(Name="capella/token", SecretString=token)["ARN"]
                register_endpoint(
                    "capella",
                    "default",
                    cap.url,
                    credentials_secret_arn=arn,
                    ApiVersion="v4",
                    OrganizationId=cap.v4.organization_id,
                )
            else:
                keys = {"AccessKey": cap.access_key, "SecretKey": cap.secret_key}
                arn = sm.create_secret(Name="capella/keys", SecretString=json.dumps(keys))["ARN"]
                register_endpoint("capella", "default", cap.url, credentials_secret_arn=arn)
            api = cap
        yield World(family, LocalStack(provider_for(family), receiver), receiver, sm, api)
