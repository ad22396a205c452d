"""Which requests CloudFormation confirms: each documented stack and resource state, against the
CloudFormation API stand-in over HTTP with a real boto3 client; and the host and StackId checks."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from cbprovider.runtime.confirmation import ConfirmationUnavailable, Confirmer, NotConfirmed
from cbprovider.runtime.genuine import (
    FunctionIdentity,
    NotGenuine,
    check_response_url,
    check_stack_id,
    response_hosts,
)

from simulators.cloudformation_api import CloudFormationApi
from simulators.cloudformation_play import CloudFormationPlay
from simulators.stack import ACCOUNT, REGION, LambdaContext

FIXED_ID = "5b0c7a3e-1f2d-4c8b-9e6a-0d4f3b2a1c99"  # parameter ids must be the same in every xdist worker
STACK = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/team-a/{uuid.uuid4()}"
IDENTITY = FunctionIdentity("aws", REGION, ACCOUNT)


@pytest.fixture
def api(cloudformation: CloudFormationPlay, monkeypatch: pytest.MonkeyPatch) -> CloudFormationApi:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    return cloudformation.api


def request(request_type: str, physical_id: str | None = None) -> dict[str, Any]:
    event = {"RequestType": request_type, "StackId": STACK, "LogicalResourceId": "Thing"}
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    return event


def confirmed(event: dict[str, Any], delays: tuple[float, ...] = ()) -> bool:
    try:
        Confirmer(delays).confirm(event, REGION)
    except NotConfirmed:
        return False
    return True


def test_create_is_confirmed_only_while_the_resource_is_being_created(api: CloudFormationApi) -> None:
    api.set_resource(STACK, "Thing", "CREATE_IN_PROGRESS")
    assert confirmed(request("Create"))
    api.set_resource(STACK, "Thing", "CREATE_COMPLETE", physical_id="t-1")
    assert not confirmed(request("Create"))
    assert not confirmed({**request("Create"), "LogicalResourceId": "Other"})


@pytest.mark.parametrize(
    "status", ["UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"]
)
def test_update_is_confirmed_for_the_resource_s_own_id(api: CloudFormationApi, status: str) -> None:
    api.set_resource(STACK, "Thing", status, physical_id="t-1")
    assert confirmed(request("Update", "t-1"))
    assert not confirmed(request("Update", "t-2"))


def test_update_is_refused_when_the_resource_is_at_rest(api: CloudFormationApi) -> None:
    api.set_resource(STACK, "Thing", "UPDATE_COMPLETE", physical_id="t-1")
    assert not confirmed(request("Update", "t-1"))


def test_delete_is_confirmed_by_the_resource_status_for_its_own_id(api: CloudFormationApi) -> None:
    api.set_stack(STACK, "DELETE_IN_PROGRESS")
    api.set_resource(STACK, "Thing", "DELETE_IN_PROGRESS", physical_id="t-1")
    assert confirmed(request("Delete", "t-1"))
    assert not confirmed(request("Delete", "t-2"))


def test_a_resource_removed_from_the_template_is_confirmed_by_its_event(api: CloudFormationApi) -> None:
    api.set_resource(STACK, "Thing", "CREATE_COMPLETE", physical_id="t-1")
    api.set_stack(STACK, "UPDATE_IN_PROGRESS", new_operation=True)
    api.set_stack(STACK, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    api.remove_resource(STACK, "Thing")
    api.add_event(STACK, "Thing", "DELETE_IN_PROGRESS", physical_id="t-1")
    assert confirmed(request("Delete", "t-1"))
    assert not confirmed(request("Delete", "t-9"))


def test_the_stack_status_alone_confirms_no_delete(api: CloudFormationApi) -> None:
    api.set_resource(STACK, "Thing", "UPDATE_COMPLETE", physical_id="t-new")
    api.set_stack(STACK, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    assert not confirmed(request("Delete", "t-old"))
    assert not confirmed(request("Delete", "t-new"))


def test_an_event_of_an_earlier_operation_confirms_nothing(api: CloudFormationApi) -> None:
    api.set_stack(STACK, "UPDATE_IN_PROGRESS", new_operation=True)
    api.add_event(STACK, "Thing", "DELETE_IN_PROGRESS", physical_id="t-old")
    api.set_stack(STACK, "UPDATE_COMPLETE")
    api.set_stack(STACK, "UPDATE_IN_PROGRESS", new_operation=True)
    api.set_stack(STACK, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    assert not confirmed(request("Delete", "t-old"))


def test_a_delete_already_answered_is_not_confirmed_again(api: CloudFormationApi) -> None:
    api.set_stack(STACK, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", new_operation=True)
    api.add_event(STACK, "Thing", "DELETE_IN_PROGRESS", physical_id="t-old")
    assert confirmed(request("Delete", "t-old"))
    api.add_event(STACK, "Thing", "DELETE_COMPLETE", physical_id="t-old")
    assert not confirmed(request("Delete", "t-old"))


def test_a_finished_operation_confirms_no_delete(api: CloudFormationApi) -> None:
    api.set_stack(STACK, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", new_operation=True)
    api.add_event(STACK, "Thing", "DELETE_IN_PROGRESS", physical_id="t-old")
    api.set_stack(STACK, "UPDATE_COMPLETE")
    assert not confirmed(request("Delete", "t-old"))


def test_events_are_followed_across_pages(api: CloudFormationApi) -> None:
    api.events_page_size = 2
    api.set_stack(STACK, "UPDATE_IN_PROGRESS", new_operation=True)
    api.add_event(STACK, "Thing", "DELETE_IN_PROGRESS", physical_id="t-old")
    for index in range(9):
        api.set_resource(STACK, f"Other{index}", "UPDATE_COMPLETE", physical_id=f"o-{index}")
    api.set_stack(STACK, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    assert confirmed(request("Delete", "t-old"))
    assert sum(1 for call in api.calls if call.key == "DescribeStackEvents") == 6


def test_a_request_recorded_late_is_confirmed_on_a_retry(api: CloudFormationApi) -> None:
    later = threading.Timer(0.2, lambda: api.set_resource(STACK, "Thing", "CREATE_IN_PROGRESS"))
    later.start()
    try:
        assert confirmed(request("Create"), delays=(0.5, 0.5))
    finally:
        later.cancel()


def test_cloudformation_refusing_to_answer_is_no_confirmation(api: CloudFormationApi) -> None:
    api.set_resource(STACK, "Thing", "CREATE_IN_PROGRESS")
    api.faults.add("DescribeStackResource", status=403, times=None)
    with pytest.raises(ConfirmationUnavailable, match="AccessDenied"):
        Confirmer((0.01,)).confirm(request("Create"), REGION)


# -- the checks without an API call -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("region", "partition", "hosts"),
    [
        (
            "us-east-1",
            "aws",
            {
                "cloudformation-custom-resource-response-useast1.s3.amazonaws.com",
                "cloudformation-custom-resource-response-useast1.s3-us-east-1.amazonaws.com",
                "cloudformation-custom-resource-response-useast1.s3.us-east-1.amazonaws.com",
            },
        ),
        (
            "cn-north-1",
            "aws-cn",
            {
                "cloudformation-custom-resource-response-cnnorth1.s3.amazonaws.com.cn",
                "cloudformation-custom-resource-response-cnnorth1.s3-cn-north-1.amazonaws.com.cn",
                "cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn",
            },
        ),
    ],
)
def test_the_response_bucket_hosts_of_a_region(region: str, partition: str, hosts: set[str]) -> None:
    assert response_hosts(region, partition) == hosts
    for host in hosts:
        check_response_url(f"https://{host}/arn%3Aaws/x?X-Amz-Signature=1", region, partition)
        check_response_url(f"https://{host}:443/x", region, partition)


@pytest.mark.parametrize(
    "url",
    [
        "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com.evil.example/x",
        "https://evil.example/cloudformation-custom-resource-response-useast1.s3.amazonaws.com",
        "https://x@cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",
        "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com:444/x",
        "https://Cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",
        "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com./x",
        "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com.cn/x",
        "https://cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com/x",
        "https://xcloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",
        "https://a.cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",
        "https://s3.amazonaws.com/cloudformation-custom-resource-response-useast1/x",
        "http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",
        "https://52.216.0.1/x",
        "https://[::1]/x",
        "https://127.0.0.1:1/x",
        "ftp://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",
        "",
    ],
)
def test_look_alike_response_urls_are_refused(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CFN_RESPONSE_URL_HOSTS", raising=False)
    with pytest.raises(NotGenuine):
        check_response_url(url, "us-east-1", "aws")


def test_configured_local_receivers_need_the_local_switch_for_plain_http(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CFN_RESPONSE_URL_HOSTS", "receiver.test, 127.0.0.1")
    monkeypatch.delenv("CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS", raising=False)
    check_response_url("https://receiver.test:8443/r", "us-east-1", "aws")
    with pytest.raises(NotGenuine, match="CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS"):
        check_response_url("http://127.0.0.1:8000/r", "us-east-1", "aws")
    with pytest.raises(NotGenuine):
        check_response_url("https://127.0.0.2:8000/r", "us-east-1", "aws")
    monkeypatch.setenv("CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS", "true")
    check_response_url("http://127.0.0.1:8000/r", "us-east-1", "aws")


@pytest.mark.parametrize(
    "stack_id",
    [
        f"arn:aws:cloudformation:{REGION}:210987654321:stack/a/{FIXED_ID}",
        f"arn:aws:cloudformation:us-west-2:{ACCOUNT}:stack/a/{FIXED_ID}",
        f"arn:aws-us-gov:cloudformation:{REGION}:{ACCOUNT}:stack/a/{FIXED_ID}",
        f" arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/a/{FIXED_ID}",
        f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:changeSet/a/{FIXED_ID}",
        None,
    ],
)
def test_stack_ids_of_other_accounts_regions_or_shapes_are_refused(stack_id: Any) -> None:
    with pytest.raises(NotGenuine):
        check_stack_id(stack_id, IDENTITY)
    check_stack_id(STACK, IDENTITY)


def test_the_function_s_identity_comes_from_its_own_arn() -> None:
    context = LambdaContext(invoked_function_arn="arn:aws-cn:lambda:cn-north-1:123456789012:function:p:live")
    assert FunctionIdentity.of(context) == FunctionIdentity("aws-cn", "cn-north-1", "123456789012")
    with pytest.raises(NotGenuine):
        FunctionIdentity.of(LambdaContext(invoked_function_arn="provider"))


def test_only_a_checked_url_is_put_to() -> None:
    """A response goes only to a ``ResponseUrl``, made only by the checks (never from a bare string)."""
    from cbprovider.deadline import Deadline
    from cbprovider.runtime import Timing
    from cbprovider.runtime.response import ResponseSender, SendFailed
    from cbprovider.runtime.response_url import ResponseUrl

    forged = "https://attacker.example/x?X-Amz-Signature=1"
    with pytest.raises(TypeError):
        ResponseUrl(forged, object())
    with pytest.raises(NotGenuine):
        ResponseUrl.checked(forged, "us-east-1", "aws")
    with pytest.raises(SendFailed):
        ResponseSender(Timing()).put(forged, b"{}", Deadline.after(1))  # type: ignore[arg-type]
    host = sorted(response_hosts("us-east-1", "aws"))[0]
    checked = ResponseUrl.checked(f"https://{host}/r?X-Amz-Signature=secret", "us-east-1", "aws")
    assert "secret" not in repr(checked)
