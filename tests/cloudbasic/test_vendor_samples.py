"""The vendor's own node.js Lambda sample (``tests/vendor_samples/lambda_api``) against the simulator.

Its whole scenario runs: ActivateInstance (unsigned, a chunked body), CreateUser, CreateReplication,
ReplicationStatus, AnalyzeReplication, DeleteReplication, a second appliance's ActivateInstance, CreateCluster
without LocalServer and DeleteCluster, in JSON and in XML. Needs ``node`` (skipped without it).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulators.cloudbasic import CloudBasicSimulator
from simulators.cloudbasic.versions import NEWEST, OLDEST, ApplianceVersion

SAMPLE = Path(__file__).resolve().parents[1] / "vendor_samples" / "lambda_api"
NODE = shutil.which("node")
FIRST, SECOND = "i-011c1c1edd1111dc1", "i-022c2c2edd2222dc2"
ENDED = [
    "Create Instance ended!",
    "create user ended!",
    "create replication ended!",
    "Replication Status ended!",
    "Analyze Replication ended!",
    "Delete Replication ended!",
    "Create Second Instance ended!",
    "Create Cluster ended!",
    "Delete Cluster ended!",
]

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed: the vendor sample is node.js")


def _pair(version: ApplianceVersion) -> tuple[CloudBasicSimulator, CloudBasicSimulator]:
    """Two appliances on one port (127.0.0.1 and 127.0.0.2): the sample uses one port for both hosts."""
    for _ in range(20):
        first = CloudBasicSimulator(
            activated=False, instance_id=FIRST, appliance_version=version, seeding_seconds=0.0
        ).start()
        try:
            second = CloudBasicSimulator(
                host="127.0.0.2",
                port=first.port,
                activated=False,
                instance_id=SECOND,
                appliance_version=version,
            ).start()
        except OSError:
            first.stop()
            continue
        return first, second
    raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2")


@pytest.fixture
def appliances(request: pytest.FixtureRequest) -> Iterator[tuple[CloudBasicSimulator, CloudBasicSimulator]]:
    first, second = _pair(request.param)
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


def _run_sample(port: int, mode: str) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run(
        [NODE, "run.js", str(port), mode], cwd=SAMPLE, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("appliances", [OLDEST], indirect=True, ids=str)
@pytest.mark.parametrize("mode", ["json", "xml"])
def test_the_lambda_sample_runs_its_whole_scenario(
    appliances: tuple[CloudBasicSimulator, CloudBasicSimulator], mode: str
) -> None:
    first, second = appliances
    result = _run_sample(first.port, mode)
    assert result.returncode == 0, result.stderr
    assert "Error:" not in result.stdout, result.stdout
    for line in ENDED:
        assert line in result.stdout, f"{line!r} missing:\n{result.stdout}"
    assert first.activated
    assert second.activated
    assert [u for u in first.users] == ["your_user", "new_user"]
    assert first.replications == {}
    assert first.cluster is None
    assert [c.status for c in first.calls] == [200] * 8


@pytest.mark.parametrize("appliances", [NEWEST], indirect=True, ids=str)
def test_a_newer_appliance_refuses_the_samples_activation(
    appliances: tuple[CloudBasicSimulator, CloudBasicSimulator],
) -> None:
    first, _ = appliances
    result = _run_sample(first.port, "json")
    assert "agreeToEula must be true" in result.stdout
    assert not first.activated
