"""Clients of the CloudBasic simulator, in JSON and in XML, with fast retries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from cbprovider.cloudbasic import CloudBasicClient
from cbprovider.transport import RetryPolicy, Timeouts

from simulators.cloudbasic.versions import NEWEST, OLDEST, ApplianceVersion

if TYPE_CHECKING:
    from simulators.cloudbasic import CloudBasicSimulator

FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.02, max_delay=0.1)
SHORT_TIMEOUTS = Timeouts(connect=2.0, read=5.0)


def make_client(sim: CloudBasicSimulator, *, xml: bool = False, **kwargs: object) -> CloudBasicClient:
    options: dict[str, object] = {"retry": FAST_RETRY, "timeouts": SHORT_TIMEOUTS, **kwargs}
    return CloudBasicClient(sim.url, sim.admin_keys, xml=xml, **options)  # type: ignore[arg-type]


@pytest.fixture(params=[False, True], ids=["json", "xml"])
def client(request: pytest.FixtureRequest, cloudbasic_sim: CloudBasicSimulator) -> Iterator[CloudBasicClient]:
    with make_client(cloudbasic_sim, xml=request.param) as c:
        yield c


@pytest.fixture(params=[OLDEST, NEWEST], ids=str)
def appliance_version(request: pytest.FixtureRequest) -> ApplianceVersion:
    """The oldest and the newest modelled appliance (see ``simulators.cloudbasic.versions``)."""
    version: ApplianceVersion = request.param
    return version


@pytest.fixture
def versioned_sim(appliance_version: ApplianceVersion) -> Iterator[CloudBasicSimulator]:
    from simulators.cloudbasic import CloudBasicSimulator

    with CloudBasicSimulator(
        seeding_seconds=1.0, promote_seconds=0.5, appliance_version=appliance_version
    ) as sim:
        yield sim


@pytest.fixture(params=[False, True], ids=["json", "xml"])
def versioned_client(
    request: pytest.FixtureRequest, versioned_sim: CloudBasicSimulator
) -> Iterator[CloudBasicClient]:
    """Signs with region ``us-east-1``: what every version accepts (blank only from 12.301)."""
    with make_client(versioned_sim, xml=request.param, region="us-east-1") as c:
        yield c
