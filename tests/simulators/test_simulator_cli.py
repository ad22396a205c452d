"""The simulators' command lines: usable demo keys, the address really bound, clear errors for bad ports."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from simulators.capella.__main__ import main as capella_main
from simulators.cloudbasic.__main__ import DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY
from simulators.cloudbasic.__main__ import main as cloudbasic_main

ROOT = Path(__file__).resolve().parents[2]
MAINS = {"cloudbasic": cloudbasic_main, "capella": capella_main}


@pytest.mark.parametrize("name", sorted(MAINS))
@pytest.mark.parametrize("port", ["99999", "-1", "eighty"])
def test_invalid_port_is_a_usage_error(name: str, port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        MAINS[name](["--port", port])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--port" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("name", sorted(MAINS))
def test_busy_port_says_so(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as info:
            MAINS[name](["--port", str(port)])
    assert info.value.code == 2
    assert f"port {port} on 127.0.0.1 is already in use" in capsys.readouterr().err


def test_demo_keys_and_the_real_address_are_printed() -> None:
    from cbprovider.cloudbasic import CloudBasicClient

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulators.cloudbasic",
            "--host",
            "127.0.0.2",
            "--appliance-version",
            "12.300",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(3)]
        assert "12.300 listening on http://127.0.0.2:" in banner[0]
        url = banner[1].strip().split("=", 1)[1]
        assert url.startswith("http://127.0.0.2:")
        assert f"CLOUDBASIC_SECRET_ACCESS_KEY={DEMO_SECRET_ACCESS_KEY}" in banner[2]
        assert requests.get(url + "/_sim/calls", timeout=5).json() == []

        keys = (DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY)
        with CloudBasicClient(url, keys, region="us-east-1") as client:
            assert client.replication_service_status().status == "Running"
    finally:
        process.terminate()
        process.wait(timeout=10)
