"""Quiet logs: people's reasons in the log, known secrets masked everywhere, connection strings masked whole,
and the AWS SDK's loggers held at WARNING whatever LOG_LEVEL says."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cbprovider.errors import ApiError
from cbprovider.redaction import forget_all_secrets, remember_secret
from cbprovider.runtime.log import logger
from cbprovider.runtime.reasons import reason_for
from cbprovider.runtime.scrub import scrub

from tests.runtime.conftest import FakeContext, only_response

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    forget_all_secrets()
    yield
    forget_all_secrets()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Server=db;Password=correct horse battery staple;Database=d", "Server=db;Password=***;Database=d"),
        ("Server=db;Password=correct horse battery staple", "Server=db;Password=***"),
        ("Password=Tr0ub4dor&3;", "Password=***;"),
        ('Server=db;Password="a;b c";Database=d', 'Server=db;Password="***";Database=d'),
        ("Server=db;Pwd={a;b}}c};Database=d", "Server=db;Pwd={***};Database=d"),
        ("user=sa password = 'x y;z' host=h", "user=sa password = '***' host=h"),
        ('{"password": "p a;ss", "host": "h"}', '{"password": "***", "host": "h"}'),
        ("secret_access_key=abc/def+ghi", "secret_access_key=***"),
        ("nothing secret here; Server=db", "nothing secret here; Server=db"),
    ],
)
def test_connection_string_values_are_masked_whole(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_a_remembered_secret_is_masked_wherever_it_appears() -> None:
    remember_secret("q9Z!x7-very-private")
    error = ApiError(
        service="CloudBasic",
        operation="CreateReplication",
        status=400,
        messages=["login failed: q9Z!x7-very-private is not accepted"],
    )
    assert "q9Z!x7-very-private" not in reason_for(error, request_id="r")
    assert scrub('{"k": "q9Z!x7-very-private"}') == '{"k": "***"}'
    assert scrub("short") == "short"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    target = logging.getLogger(logger.service)
    target.addHandler(handler)
    try:
        yield stream
    finally:
        target.removeHandler(handler)


def test_log_records_are_scrubbed_message_and_extra_fields(json_log: io.StringIO) -> None:
    remember_secret("s3cr3t-token-value")
    logger.info("seen s3cr3t-token-value", extra={"detail": {"nested": ["x s3cr3t-token-value y"]}})
    logger.info("conn", extra={"conn": "Server=db;Password=correct horse battery staple"})
    logged = json_log.getvalue()
    assert "s3cr3t-token-value" not in logged
    assert "horse battery staple" not in logged
    line = json.loads(logged.splitlines()[0])
    assert line["detail"] == {"nested": ["x *** y"]}


def test_a_plain_logger_record_is_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    remember_secret("plain-logger-secret")
    with caplog.at_level(logging.INFO):
        logging.getLogger("cbprovider.automation.monitor").warning("value %s", "plain-logger-secret")
    assert "plain-logger-secret" not in caplog.text


def test_the_failure_log_holds_the_reason_not_the_raw_error(
    provider, events, cfn_receiver, widgets, caplog, capsys, json_log
) -> None:
    echo = {"message": "login failed for Server=db;Password=correct horse battery staple;Database=d"}
    widgets.faults.add("POST /widgets", status=400, body=json.dumps(echo))
    caplog.set_level(logging.INFO)
    event = events.make("Create")
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "FAILED"
    assert "horse battery staple" not in body["Reason"]
    out = capsys.readouterr()
    logged = caplog.text + out.out + out.err + json_log.getvalue()
    assert "Request failed" in logged
    assert "horse battery staple" not in logged


SDK_AT_DEBUG = """
import logging, os, sys
os.environ["LOG_LEVEL"] = "DEBUG"
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
import {module}  # what the function imports at cold start, before any AWS call
from moto import mock_aws
with mock_aws():
    import boto3
    boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name="keys",
        SecretString='{{"AccessKeyId": "AKIDEXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI-K7MDENG"}}',
    )
    {read}
print("read", file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("module", "read"),
    [
        (
            "cbprovider.automation.log",
            "from cbprovider.automation.credentials import key_pair_from_secret; "
            "key_pair_from_secret('keys', ('AccessKeyId', 'SecretAccessKey'), field_context='Keys')",
        ),
        (
            "cbprovider.runtime.log",
            "from cbprovider.secrets.reader import secret_json; secret_json('keys', field_context='Keys')",
        ),
    ],
    ids=["monitor-and-promote", "provider"],
)
def test_botocore_at_debug_does_not_log_get_secret_value(module: str, read: str) -> None:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    done = subprocess.run(
        [sys.executable, "-c", SDK_AT_DEBUG.format(module=module, read=read)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "read" in done.stderr
    assert "wJalrXUtnFEMI-K7MDENG" not in done.stdout + done.stderr


def test_cbctl_pins_the_sdk_loggers_before_anything_else() -> None:
    from cbctl.cli import main

    noisy = ("botocore", "urllib3", "requests")
    before = {name: logging.getLogger(name).level for name in noisy}
    try:
        for name in noisy:
            logging.getLogger(name).setLevel(logging.DEBUG)
        with pytest.raises(SystemExit):
            main(["cloudbasic", "--no-such-option"])
        assert all(logging.getLogger(name).level >= logging.WARNING for name in noisy)
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)
