"""A request that fails because an AWS call failed says which call and how, never the AWS message."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from cbprovider.runtime.reasons import reason_for


def _client_error(code: str, operation: str, message: str = "injected") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class WrappedError(Exception):
    """Stands for a library's own error raised ``from`` the AWS one (Powertools' persistence error)."""


def test_a_throttled_call_is_named_with_its_code() -> None:
    reason = reason_for(_client_error("ProvisionedThroughputExceededException", "PutItem"), request_id="r-1")
    assert reason == (
        "[AwsError] the AWS call PutItem failed with ProvisionedThroughputExceededException "
        "(throttled: too many requests); see the provider's log for RequestId r-1"
    )


def test_the_aws_error_is_found_behind_a_wrapping_error() -> None:
    try:
        try:
            raise _client_error("InternalServerError", "UpdateItem", message="Item {'Password': 'x-9'}")
        except ClientError as error:
            raise WrappedError("Failed to update record state") from error
    except WrappedError as wrapped:
        reason = reason_for(wrapped, request_id="r-2")
    assert reason.startswith("[AwsError] the AWS call UpdateItem failed with InternalServerError;")
    assert "x-9" not in reason
    assert "Password" not in reason


@pytest.mark.parametrize("error", [ReadTimeoutError(endpoint_url="https://ssm.example/")])
def test_a_call_without_an_answer_names_the_failure(error: Exception) -> None:
    assert reason_for(error, request_id="r-3").startswith("[AwsError] an AWS call failed: ReadTimeoutError;")


def test_other_errors_stay_generic() -> None:
    reason = reason_for(ValueError("secret-ish detail"), request_id="r-4")
    assert reason.startswith("[InternalError] ValueError: unexpected error in the provider")
