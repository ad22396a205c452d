"""Clients of the CloudBasic simulator, in JSON and in XML, with fast retries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from cbprovider.cloudbasic import CloudBasicClient
from cbprovider.transport import RetryPolicy, Timeouts

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
