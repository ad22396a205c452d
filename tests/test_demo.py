"""`make demo` end to end: every lifecycle, one response each, nothing left behind."""

from __future__ import annotations

from demo.__main__ import main


def test_the_demo_runs_every_lifecycle_and_leaves_nothing(capsys):
    code = main(["--seeding-seconds", "0.6", "--deploy-seconds", "0.6"])
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
        "CapellaBucket",
        "CapellaAllowedCidr",
        "CapellaDatabaseCredential",
    ):
        assert f"> Create Custom::{type_name}" in out
        assert f"> Delete Custom::{type_name}" in out
    assert "polled via EventBridge" in out
    assert "FAILED" not in out
    assert "poll rules left: 0, poll state left: 0" in out
    assert "replication monitor:" in out
    v4 = out.partition("examples/capella-v4.yaml")[2]
    for type_name in ("CapellaProject", "CapellaCluster", "CapellaBucket"):
        assert f"> Create Custom::{type_name}" in v4
    assert "> Update Custom::CapellaCluster OrdersCluster" in v4
    assert "> Update Custom::CapellaBucket OrdersBucket" in v4
    assert "ConnectionString=couchbases://" in v4
    assert "CredentialSecretArn holds username 'orders-app' and the password Capella has" in v4
    assert "0 projects, 0 clusters, 0 buckets, 0 allowed CIDRs, 0 credentials" in v4
    assert "the generated password's secret is deleted" in v4
