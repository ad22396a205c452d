"""`make demo` end to end: every lifecycle, one response each, nothing left behind."""

from __future__ import annotations

from cbctl.cli import main


def test_the_demo_runs_every_lifecycle_and_leaves_nothing(capsys):
    code = main(["demo", "--seeding-seconds", "0.6", "--deploy-seconds", "0.6"])
    out = capsys.readouterr().out
    assert code == 0, out
    for type_name in (
        "CloudBasicActivation",
        "CloudBasicUser",
        "CloudBasicReplication",
        "CloudBasicHACluster",
        "CapellaProject",
        "CapellaCluster",
        "CapellaDatabaseUser",
    ):
        assert f"> Create Custom::{type_name}" in out
        assert f"> Delete Custom::{type_name}" in out
    assert "polled via EventBridge" in out
    assert "FAILED" not in out
    assert "poll rules left: 0, poll state left: 0" in out
    assert "replication monitor:" in out
