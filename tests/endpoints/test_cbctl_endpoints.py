"""``cbctl endpoints`` against moto's SSM, and ``cbctl cloudbasic call --endpoint`` against the simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from cbctl.cli import main
from simulators.stack import local_aws


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with local_aws() as boto3:
        monkeypatch.delenv("CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS", raising=False)
        yield boto3.client("ssm")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_put_get_list_delete(ssm: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "endpoints",
        "put",
        "cloudbasic",
        "node-a",
        "--url",
        "http://10.0.1.10:82",
        "--allow-plaintext-http",
    )
    assert code == 0, err
    assert "/cfn-replication-provider/endpoints/cloudbasic/node-a" in out
    code, out, _ = run(capsys, "endpoints", "get", "cloudbasic", "node-a")
    assert json.loads(out) == {"Url": "http://10.0.1.10:82", "AllowPlaintextHttp": True}
    code, out, _ = run(capsys, "endpoints", "list")
    assert out.startswith("cloudbasic\tnode-a\t")
    assert run(capsys, "endpoints", "delete", "cloudbasic", "node-a")[0] == 0
    assert run(capsys, "endpoints", "list")[1] == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--url", "https://169.254.169.254"], "cloud metadata"),
        (["--url", "http://10.0.1.10:82"], "must be https"),
        (["--url", "https://10.0.1.10", "--signing-region", "moon"], "SigningRegion"),
    ],
)
def test_put_refuses_what_the_provider_would_refuse(
    ssm: Any, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, "endpoints", "put", "cloudbasic", "bad", *argv)
    assert code == 1
    assert message in err
    assert ssm.describe_parameters()["Parameters"] == []


def test_cloudbasic_call_through_a_registered_endpoint(
    capsys: pytest.CaptureFixture[str], cloudbasic_sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulators.stack import register_endpoint

    with local_aws() as boto3:
        access, secret = cloudbasic_sim.admin_keys
        arn = boto3.client("secretsmanager").create_secret(
            Name="keys", SecretString=json.dumps({"AccessKeyId": access, "SecretAccessKey": secret})
        )["ARN"]
        register_endpoint(
            "cloudbasic", "sim", cloudbasic_sim.url, credentials_secret_arn=arn, SigningRegion=""
        )
        code, out, err = run(capsys, "cloudbasic", "call", "ReplicationServiceStatus", "--endpoint", "sim")
    assert code == 0, err
    assert "Status" in json.loads(out) or "status" in json.loads(out)
