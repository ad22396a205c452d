"""Play CloudFormation and EventBridge locally around a real provider handler.

``LocalStack`` (not the product of that name: a local stack of one resource at a time) sends
CloudFormation requests whose ``ResponseURL`` points at a real ``ResponseReceiver``, invokes the handler
in-process with a Lambda-like context, and, when the handler schedules a poll instead of answering,
plays EventBridge: it reads the poll rule's target ``Input`` from (moto's) EventBridge and invokes the
handler with it, without waiting for the rule's rate. It returns the one response CloudFormation
would get. AWS must be available (``local_aws()`` gives moto with the provider's state table, and the
CloudFormation API stand-in in which ``LocalStack`` records, before each request, what CloudFormation
would: see ``simulators.cloudformation_play``).

Used by the resource tests, the fault matrix and the demo (``demo/``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulators.cloudformation import CapturedResponse, ResponseReceiver
from simulators.cloudformation_api import CloudFormationApi
from simulators.cloudformation_play import CloudFormationPlay

if TYPE_CHECKING:
    from cbprovider.endpoints import Vendor

FUNCTIONS = Path(__file__).resolve().parents[1] / "functions"

STATE_TABLE = "provider-state"
REGION = "us-east-1"
ACCOUNT = "123456789012"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:provider"
RULE_PREFIX = "cfnprov-"

Handler = Callable[[Mapping[str, Any], Any], object]
_STAND_INS: list[CloudFormationApi] = []


def cloudformation_api() -> CloudFormationApi:
    """The CloudFormation API stand-in of the innermost ``local_aws()``."""
    if not _STAND_INS:
        raise RuntimeError("no local_aws() is active: it serves the CloudFormation API stand-in")
    return _STAND_INS[-1]


def local_cloudformation_env(api: CloudFormationApi) -> dict[str, str]:
    """The environment that points a provider at the stand-in and admits the local response receiver."""
    return {
        "AWS_ENDPOINT_URL_CLOUDFORMATION": api.url,
        "CFN_RESPONSE_URL_HOSTS": "127.0.0.1",
        "CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS": "true",
    }


def load_handler(function: str) -> Handler:
    """``lambda_handler`` of a fresh import of ``functions/<function>/app.py``, as a new Lambda container.

    Each call imports the module anew (its own Provider, clients and caches); import it inside
    ``local_aws()`` so that the AWS clients it makes talk to moto.
    """
    path = FUNCTIONS / function / "app.py"
    spec = importlib.util.spec_from_file_location(f"{function}_app_{uuid.uuid4().hex}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler: Handler = module.lambda_handler
    return handler


@contextmanager
def local_aws(table: str = STATE_TABLE) -> Iterator[Any]:
    """moto for every AWS call, with the provider's state table as the template declares it.

    Sets the environment a deployed provider function has (region, table, poll rule prefix, the KMS key
    that seals keys kept in poll state), serves the CloudFormation API from a local stand-in
    (``cloudformation_api()``) and admits response URLs on 127.0.0.1; restores the environment afterwards.
    Yields the ``boto3`` module.
    """
    from moto import mock_aws

    stand_in = CloudFormationApi().start()
    _STAND_INS.append(stand_in)
    wanted = {
        **local_cloudformation_env(stand_in),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "IDEMPOTENCY_TABLE": table,
        "POLL_RULE_PREFIX": RULE_PREFIX,
        # This driver plays EventBridge without waiting for a rule's rate, so it hands long operations
        # over to rules at once; the demo and the lag tests turn in-process polling back on.
        "CFN_PROVIDER_INLINE_POLL_SECONDS": os.environ.get("CFN_PROVIDER_INLINE_POLL_SECONDS", "0"),
        # The simulators listen on 127.0.0.1 over plain HTTP: admit them as endpoints (never in a deployment).
        "CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS": "true",
        "STATE_KMS_KEY_ARN": "",
    }
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        with mock_aws():
            import boto3

            boto3.client("dynamodb").create_table(
                TableName=table,
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
            )
            os.environ["STATE_KMS_KEY_ARN"] = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
            yield boto3
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _STAND_INS.remove(stand_in)
        stand_in.stop()


def register_endpoint(
    vendor: Vendor,
    name: str,
    url: str,
    *,
    credentials_secret_arn: str | None = None,
    **fields: Any,
) -> str:
    """Register an endpoint in (moto's) SSM as the operator would; returns the parameter name.

    ``fields`` are further entry keys in PascalCase (``CaBundleSecretArn``, ``SigningRegion``,
    ``ApiVersion``, ...). A Capella entry defaults to ``ApiVersion: v3`` (the API the client speaks). The
    registry's cache is cleared, so the next read sees the entry.
    """
    import boto3
    from cbprovider.endpoints import clear_cache, parameter_name

    value: dict[str, Any] = {"Url": url}
    if credentials_secret_arn is not None:
        value["CredentialsSecretArn"] = credentials_secret_arn
    if vendor == "capella":
        value.setdefault("ApiVersion", "v3")
    value.update(fields)
    parameter = parameter_name(vendor, name)
    boto3.client("ssm").put_parameter(Name=parameter, Value=json.dumps(value), Type="String", Overwrite=True)
    clear_cache()
    return parameter


@dataclass
class LambdaContext:
    """What the Lambda runtime hands a function: its time left, names and request id."""

    seconds: float = 60.0
    function_name: str = "provider"
    invoked_function_arn: str = FUNCTION_ARN
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 256
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.seconds - (time.monotonic() - self.started)) * 1000))


@dataclass
class Outcome:
    """What one CloudFormation request came to."""

    event: dict[str, Any]
    responses: list[CapturedResponse]
    invocations: int
    """Handler invocations: the request itself plus every poll."""

    @property
    def response(self) -> dict[str, Any]:
        """The one response body (raises if there were none or several)."""
        if len(self.responses) != 1:
            raise AssertionError(f"expected exactly one response, got {len(self.responses)}")
        return self.responses[0].body

    @property
    def status(self) -> str:
        return str(self.response.get("Status"))

    @property
    def physical_id(self) -> str:
        return str(self.response.get("PhysicalResourceId"))

    @property
    def data(self) -> dict[str, Any]:
        data = self.response.get("Data") or {}
        return dict(data)

    @property
    def reason(self) -> str:
        return str(self.response.get("Reason") or "")


def record_owner(event: Mapping[str, Any], physical_id: str | None = None, table: str = STATE_TABLE) -> None:
    """Record the event's stack resource as the owner of ``physical_id`` (default: the event's) in the
    state table, as the provider does when it creates an object. For tests that act on an object they
    put into a simulator directly, standing for one this stack resource created earlier."""
    import boto3
    from cbprovider.runtime.ownership import ObjectRef, Owner, Ownership

    object_id = physical_id or str(event["PhysicalResourceId"])
    owner = Owner(str(event["StackId"]), str(event["LogicalResourceId"]))
    ref = ObjectRef.of(event, object_id, "ResourceProperties")
    Ownership(table, boto3.client("dynamodb")).claim(ref, owner)


class LocalStack:
    """Sends requests for resources of one stack to ``handler`` and follows them to their response."""

    def __init__(
        self,
        handler: Handler,
        receiver: ResponseReceiver,
        *,
        stack_name: str = "demo-stack",
        context_seconds: float = 60.0,
        on_invoke: Callable[[str, Mapping[str, Any]], None] | None = None,
        cloudformation: CloudFormationApi | None = None,
    ) -> None:
        self.handler = handler
        self.play = CloudFormationPlay(cloudformation or cloudformation_api())
        """Records CloudFormation's side of each request (``self.play.rolling_back()`` for a rollback)."""
        self.receiver = receiver
        self.stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{stack_name}/{uuid.uuid4()}"
        self.context_seconds = context_seconds
        self.on_invoke = on_invoke

    def event(
        self,
        request_type: str,
        resource_type: str,
        logical_id: str,
        properties: Mapping[str, Any],
        *,
        physical_id: str | None = None,
        old_properties: Mapping[str, Any] | None = None,
        request_id: str | None = None,
    ) -> dict[str, Any]:
        """A request as CloudFormation sends it (scalars are sent as they are given: use strings)."""
        request_id = request_id or str(uuid.uuid4())
        event: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": FUNCTION_ARN,
            "ResponseURL": self.receiver.url_for(request_id),
            "StackId": self.stack_id,
            "RequestId": request_id,
            "LogicalResourceId": logical_id,
            "ResourceType": resource_type,
            "ResourceProperties": {"ServiceToken": FUNCTION_ARN, **properties},
        }
        if physical_id is not None:
            event["PhysicalResourceId"] = physical_id
        if old_properties is not None:
            event["OldResourceProperties"] = {"ServiceToken": FUNCTION_ARN, **old_properties}
        return event

    def own(
        self,
        resource_type: str,
        logical_id: str,
        physical_id: str,
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        """Record this stack's ``logical_id`` as the owner of an object a test made in a simulator directly
        (standing for one this stack resource created earlier); see ``record_owner``."""
        event = self.event("Delete", resource_type, logical_id, properties or {}, physical_id=physical_id)
        record_owner(event)

    def invoke(self, event: Mapping[str, Any], *, context_seconds: float | None = None) -> None:
        """One Lambda invocation of the handler."""
        if self.on_invoke is not None:
            self.on_invoke("poll" if "CfnProviderPoll" in event else str(event.get("RequestType")), event)
        if "RequestType" in event:
            self.play.before(event)
        seconds = self.context_seconds if context_seconds is None else context_seconds
        self.handler(event, LambdaContext(seconds=seconds))

    def run(
        self,
        event: dict[str, Any],
        *,
        max_polls: int = 200,
        poll_interval: float = 0.05,
        context_seconds: float | None = None,
    ) -> Outcome:
        """Invoke for ``event``, then play EventBridge until a response arrives or no poll is pending."""
        request_id = event["RequestId"]
        self.invoke(event, context_seconds=context_seconds)
        invocations = 1
        while not self.receiver.responses_for(request_id) and invocations <= max_polls:
            polls = self.pending_polls()
            if not polls:
                break
            time.sleep(poll_interval)
            for poll_event in polls:
                self.invoke(poll_event, context_seconds=context_seconds)
                invocations += 1
        responses = list(self.receiver.responses_for(request_id))
        self.play.after(event, responses[0].body if responses else None)
        return Outcome(event, responses, invocations)

    def send(
        self,
        request_type: str,
        resource_type: str,
        logical_id: str,
        properties: Mapping[str, Any],
        **kwargs: Any,
    ) -> Outcome:
        """``event`` then ``run``: one whole CloudFormation request."""
        run_options = {
            k: kwargs.pop(k) for k in ("max_polls", "poll_interval", "context_seconds") if k in kwargs
        }
        return self.run(
            self.event(request_type, resource_type, logical_id, properties, **kwargs), **run_options
        )

    @staticmethod
    def pending_polls() -> list[dict[str, Any]]:
        """The events EventBridge would deliver now: one per poll rule's target."""
        import boto3

        events = boto3.client("events")
        found: list[dict[str, Any]] = []
        for rule in events.list_rules(NamePrefix=RULE_PREFIX).get("Rules", []):
            for target in events.list_targets_by_rule(Rule=rule["Name"]).get("Targets", []):
                if target.get("Input"):
                    found.append(json.loads(target["Input"]))
        return found

    @staticmethod
    def leftovers(table: str = STATE_TABLE) -> dict[str, list[str]]:
        """Poll rules and poll state items still present (empty lists when nothing leaked)."""
        import boto3

        rules = [
            r["Name"] for r in boto3.client("events").list_rules(NamePrefix=RULE_PREFIX).get("Rules", [])
        ]
        items = boto3.client("dynamodb").scan(TableName=table).get("Items", [])
        state = [i["id"]["S"] for i in items if i["id"]["S"].startswith("poll#")]
        return {"rules": rules, "poll_state": state}
