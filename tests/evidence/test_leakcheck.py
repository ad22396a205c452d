"""The secret-leak check catches what it should, names where, and never repeats the secret.

A small suite runs in a pytest subprocess with the plugin; its tests leak on purpose through each
channel the check watches (so this test's own output holds secrets: hence ``allow_secret_output``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
MOTO_PASSWORD = "Hunter2-Hunter2-moto"

SUITE = f'''
import json
import logging

import pytest
import requests
from cbprovider.runtime.log import logger

from simulators.capella import CapellaSimulator
from simulators.cloudbasic import CloudBasicSimulator
from simulators.cloudformation import ResponseReceiver
from simulators.stack import local_aws

PASSWORD = "{MOTO_PASSWORD}"


def make_secret():
    with local_aws() as boto3:
        value = {{"username": "sa-account-name", "password": PASSWORD, "host": "db.example.internal"}}
        boto3.client("secretsmanager").create_secret(Name="db", SecretString=json.dumps(value))


def test_leak_in_a_powertools_log_record():
    make_secret()
    logger.info("connecting", extra={{"conn": "Server=db;Password=" + PASSWORD}})


def test_leak_in_a_root_log_record_after_moto_is_gone():
    make_secret()
    logging.getLogger("some.library").warning("the password is %s", PASSWORD)


def test_leak_of_a_simulator_key_on_stdout():
    with CloudBasicSimulator() as sim:
        print("admin key:", sim.admin_keys[1])


def test_leak_in_a_cloudformation_response():
    with CapellaSimulator() as sim, ResponseReceiver() as receiver:
        requests.put(receiver.url_for("r1"), data=json.dumps({{"Reason": sim.secret_key}}), timeout=5)


def test_leak_in_an_exception():
    make_secret()
    raise ValueError("could not log in with " + PASSWORD)


def test_leak_read_back_through_capsys(capsys):
    make_secret()
    print("password:", PASSWORD)
    assert "password" in capsys.readouterr().out


@pytest.mark.allow_secret_output
def test_opted_out():
    make_secret()
    print(PASSWORD)


def test_names_and_hosts_are_not_secrets():
    make_secret()
    print("user sa-account-name on db.example.internal")


def test_short_secrets_are_ignored():
    with local_aws() as boto3:
        boto3.client("secretsmanager").create_secret(Name="pin", SecretString="1234567")
    print("1234567")
'''


@pytest.mark.allow_secret_output
def test_each_channel_is_caught_and_named_without_the_secret(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "PYTHONPATH",
        os.pathsep.join([str(ROOT), str(ROOT / "layers/provider"), os.environ.get("PYTHONPATH", "")]),
    )
    pytester.makepyfile(test_leaky=SUITE)
    result = pytester.runpytest_subprocess("-p", "tests.leakcheck", "-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=3, failed=6)
    failures = {
        "test_leak_in_a_powertools_log_record": "a log record (cfn-replication-provider)",
        "test_leak_in_a_root_log_record_after_moto_is_gone": "a log record (some.library)",
        "test_leak_of_a_simulator_key_on_stdout": "captured stdout call",
        "test_leak_in_a_cloudformation_response": "the CloudFormation response for request r1",
        "test_leak_in_an_exception": "the exception or failure text of the call phase",
        "test_leak_read_back_through_capsys": "output the test read through capsys/capfd",
    }
    text = result.stdout.str()
    for name, where in failures.items():
        assert f"FAILED test_leaky.py::{name}" in text
        assert f"appeared in {where}" in text, name
    leak_lines = [line for line in result.stdout.lines if "appeared in" in line]
    assert leak_lines
    assert not [line for line in leak_lines if MOTO_PASSWORD in line]


@pytest.mark.allow_secret_output
def test_with_capture_off_printed_output_is_still_checked(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "PYTHONPATH",
        os.pathsep.join([str(ROOT), str(ROOT / "layers/provider"), os.environ.get("PYTHONPATH", "")]),
    )
    pytester.makepyfile(test_leaky=SUITE)
    result = pytester.runpytest_subprocess(
        "-p", "tests.leakcheck", "-p", "no:cacheprovider", "-q", "-s", "-k", "simulator_key"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*appeared in output printed with capture off*"])
