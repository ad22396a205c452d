"""Shared fixtures: the simulators and the CloudFormation response receiver, each a real HTTP server.

Imports are inside the fixtures so that a test module pulls in only what it uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

pytest_plugins = ["tests.leakcheck"]

if TYPE_CHECKING:
    from simulators.capella import CapellaSimulator
    from simulators.cloudbasic import CloudBasicSimulator
    from simulators.cloudformation import ResponseReceiver
    from simulators.cloudformation_play import CloudFormationPlay


@pytest.fixture(autouse=True)
def provider_logs_at_info() -> None:
    """The provider's logger at INFO at the start of every test, whatever level the process-wide logger
    was created with (the demo runs quietly at ERROR; a test that wants DEBUG sets it itself)."""
    import logging

    logging.getLogger("cfn-replication-provider").setLevel(logging.INFO)


@pytest.fixture(autouse=True)
def no_in_process_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long operations go to poll rules at once, which the tests play without waiting (a test of the
    in-process polling sets ``CFN_PROVIDER_INLINE_POLL_SECONDS`` itself)."""
    monkeypatch.setenv("CFN_PROVIDER_INLINE_POLL_SECONDS", "0")


@pytest.fixture(autouse=True)
def fresh_container_caches() -> None:
    """Each test starts as a new container: no registry entry or secret value cached by an earlier test
    (against an earlier moto), and no AWS client bound to an earlier test's endpoints."""
    from cbprovider import aws_reads
    from cbprovider.endpoints import registry
    from cbprovider.secrets import reader

    registry.clear_cache()
    reader.clear_cache()
    aws_reads.forget_clients()


@pytest.fixture(autouse=True)
def fresh_shared_sessions() -> Iterator[None]:
    """Each test starts with no pooled session (and leaves no connection open to its stopped servers)."""
    from cbprovider.sessions import shared_sessions

    shared_sessions.close()
    yield
    shared_sessions.close()


@pytest.fixture
def cloudbasic_sim() -> Iterator[CloudBasicSimulator]:
    from simulators.cloudbasic import CloudBasicSimulator

    with CloudBasicSimulator(seeding_seconds=1.0, promote_seconds=0.5) as sim:
        yield sim


@pytest.fixture
def capella_sim() -> Iterator[CapellaSimulator]:
    from simulators.capella import CapellaSimulator

    with CapellaSimulator(deploy_seconds=1.0, destroy_seconds=0.5, scale_seconds=0.5) as sim:
        yield sim


@pytest.fixture
def cfn_receiver() -> Iterator[ResponseReceiver]:
    from simulators.cloudformation import ResponseReceiver

    with ResponseReceiver() as receiver:
        yield receiver


@pytest.fixture
def cloudformation(monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudFormationPlay]:
    """The CloudFormation API stand-in, with the environment that points a provider at it (and admits
    response URLs on 127.0.0.1); call ``.before(event)`` for a hand-made request, as CloudFormation
    records its side before sending it (see ``simulators.cloudformation_play``)."""
    from simulators.cloudformation_api import CloudFormationApi
    from simulators.cloudformation_play import CloudFormationPlay
    from simulators.stack import local_cloudformation_env

    with CloudFormationApi() as api:
        for name, value in local_cloudformation_env(api).items():
            monkeypatch.setenv(name, value)
        yield CloudFormationPlay(api)
