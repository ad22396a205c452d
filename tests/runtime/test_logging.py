"""Logs carry correlation ids and never the presigned ResponseURL query or secret-looking values."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from cbprovider.runtime.log import logger
from cbprovider.runtime.redact import looks_secret, redact_event

from tests.runtime.conftest import FakeContext, only_response


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The runtime's log lines exactly as Lambda would get them (``cbprovider.jsonlog``)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    target = logging.getLogger(logger.service)
    target.addHandler(handler)
    try:
        yield stream
    finally:
        target.removeHandler(handler)


def _everything_logged(caplog, capsys, json_log) -> str:
    records = " ".join(str(vars(r)) for r in caplog.records)
    out = capsys.readouterr()
    return str(records + caplog.text + out.out + out.err + json_log.getvalue())


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_response_url_and_secret_values_never_reach_the_log(
    provider, events, cfn_receiver, caplog, capsys, json_log, level
):
    caplog.set_level(getattr(logging, level))
    logging.getLogger().setLevel(getattr(logging, level))
    event = events.make(
        "Create",
        {
            "AdminPassword": "s3cr3t-Pa55",
            "FailAfterCreate": "true",
            "Source": {"Server": "db", "Database": "d"},
        },
    )
    provider(event, FakeContext())
    assert only_response(cfn_receiver, event)["Status"] == "FAILED"
    # A long operation too: its state (with the event) goes to DynamoDB, and botocore must not log it.
    waiting = events.make("Create", {"AdminPassword": "s3cr3t-Pa55", "Wait": "true"})
    provider(waiting, FakeContext())
    logged = _everything_logged(caplog, capsys, json_log)
    for sent in (event, waiting):
        assert sent["ResponseURL"].split("X-Amz-Signature=")[1] not in logged
    assert "X-Amz-Credential" not in logged
    assert "s3cr3t-Pa55" not in logged
    assert "hunter2" not in logged, "the unexpected exception's text is scrubbed from the traceback"
    assert "Traceback" in logged
    assert event["RequestId"] in logged
    assert "MyWidget" in logged


def test_log_lines_carry_correlation_ids(provider, events, cfn_receiver, json_log):
    event = events.make("Create")
    provider(event, FakeContext())
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert lines, "something was logged at INFO"
    for line in lines:
        assert line["request_id"] == event["RequestId"]
        assert line["logical_resource_id"] == "MyWidget"
        assert line["stack_id"] == event["StackId"]
    assert all(line["level"] != "DEBUG" for line in lines)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("Password", True),
        ("AdminPassword", True),
        ("SecretKey", True),
        ("SecretAccessKey", True),
        ("PrivateKey", True),
        ("RemotePrivateKey", True),
        ("ConnectionString", True),
        ("ApiToken", True),
        ("SecretArn", False),
        ("CredentialsSecretArn", False),
        ("AccessKeyId", False),
        ("ServiceToken", False),
        ("Database", False),
    ],
)
def test_secret_looking_names(name, secret):
    assert looks_secret(name) is secret


def test_redact_event_keeps_structure():
    event: dict[str, Any] = {
        "ResponseURL": "https://bucket.s3.amazonaws.com/path/x?X-Amz-Signature=abc",
        "ResourceProperties": {"Source": [{"Password": "p", "Host": "h"}], "Name": "n"},
    }
    clean = redact_event(event)
    assert clean["ResponseURL"] == "https://bucket.s3.amazonaws.com/path/x"
    assert clean["ResourceProperties"] == {"Source": [{"Password": "***", "Host": "h"}], "Name": "n"}
    assert event["ResourceProperties"]["Source"][0]["Password"] == "p", "the event itself is not changed"


def _logged_here() -> None:
    logger.warning("Something %s", "happened", extra={"detail": {"n": 1}, "skipped": None})


def test_a_line_has_the_keys_and_the_callers_location(json_log: io.StringIO) -> None:
    logger.append_keys(request_id="r-1", empty=None)
    try:
        _logged_here()
    finally:
        logger.remove_keys(["request_id", "empty"])
    line = json.loads(json_log.getvalue().splitlines()[-1])
    assert list(line)[:5] == ["level", "location", "message", "timestamp", "service"]
    assert line["level"] == "WARNING"
    assert line["location"].startswith("_logged_here:")
    assert line["message"] == "Something happened"
    assert line["service"] == logger.service
    assert line["request_id"] == "r-1"
    assert line["detail"] == {"n": 1}
    assert "skipped" not in line, "None values are left out"
    assert "empty" not in line


def test_an_exception_is_named_and_its_traceback_scrubbed(json_log: io.StringIO) -> None:
    try:
        raise ValueError("Password=hunter2-and-more;")
    except ValueError as error:
        logger.error("Failed", exc_info=error)
    line = json.loads(json_log.getvalue().splitlines()[-1])
    assert line["exception_name"] == "ValueError"
    assert "Traceback" in line["exception"]
    assert "hunter2" not in json_log.getvalue()


def test_removed_keys_are_gone_from_the_next_line(json_log: io.StringIO) -> None:
    logger.append_keys(request_id="r-2")
    logger.remove_keys(["request_id"])
    logger.info("after")
    assert "request_id" not in json.loads(json_log.getvalue().splitlines()[-1])
