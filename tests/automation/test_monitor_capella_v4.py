"""The monitor on Capella API v4 endpoints: every cluster of every project, all pages, with its state."""

from __future__ import annotations

import json

import pytest
from cbprovider.automation.monitor import Monitor
from cbprovider.automation.report import Status
from cbprovider.automation.settings import CapellaTarget, MonitorSettings, settings_from_env
from cbprovider.deadline import Deadline

from simulators.capella import CapellaSimulator
from simulators.stack import register_endpoint
from tests.automation.conftest import FAST_RETRY, REGION, capella_target, settings

PROJECTS = "/v4/organizations/{organizationId}/projects"
CLUSTERS = PROJECTS + "/{projectId}/clusters"


@pytest.fixture(autouse=True)
def unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAPELLA_REQUESTS_PER_MINUTE", "60000")


def v4_target(sim: CapellaSimulator, name: str = "default", **overrides: object) -> CapellaTarget:
    fields: dict[str, object] = {
        "api_url": sim.url,
        "name": name,
        "api_version": "v4",
        "organization_id": sim.v4.organization_id,
        "token": sim.v4.token,
        **overrides,
    }
    return CapellaTarget(**fields)  # type: ignore[arg-type]


def run(*targets: CapellaTarget) -> Monitor:
    return Monitor(MonitorSettings(capella=targets, concurrency=8, retry=FAST_RETRY))


def test_every_cluster_of_every_project_on_every_page_with_its_state(capella_sim: CapellaSimulator) -> None:
    v4 = capella_sim.v4
    projects = [v4.add_project(f"team-{i}") for i in range(55)]  # two pages of projects at 50 a page
    big = v4.add_clusters(projects[0], 120)  # three pages of clusters
    last = v4.add_clusters(projects[-1], 2)
    degraded = v4.add_clusters(projects[7], 1, state="degraded")
    failed = v4.add_clusters(projects[7], 1, state="deploymentFailed")

    report = run(v4_target(capella_sim)).run(Deadline.after(30))

    [org] = report.capella
    assert org.status is Status.OK, org.reason
    assert {c.cluster_id for c in org.clusters} == {*big, *last, *degraded, *failed}
    assert len(org.clusters) == 124
    by_id = {c.cluster_id: c for c in org.clusters}
    assert by_id[big[0]].status is Status.OK
    assert by_id[big[0]].cluster_status == "healthy"
    assert by_id[big[0]].project_id == projects[0]
    assert (by_id[degraded[0]].status, by_id[degraded[0]].reason) == (
        Status.UNHEALTHY,
        "cluster state is degraded",
    )
    assert by_id[failed[0]].cluster_status == "deploymentFailed"
    assert by_id[failed[0]].status is Status.UNHEALTHY
    assert "unhealthy 2" in report.summary_line()
    project_lists = [c for c in capella_sim.calls if c.key == f"GET {PROJECTS}"]
    assert len(project_lists) == 2
    assert sum(c.path.endswith(f"/{projects[0]}/clusters") for c in capella_sim.calls) == 3
    per_cluster = [c for c in capella_sim.calls if c.key == f"GET {CLUSTERS}/{{clusterId}}"]
    assert per_cluster == [], "the lists carry the states: no call per cluster"


def test_a_v3_and_a_v4_endpoint_in_one_pass(capella_sim: CapellaSimulator) -> None:
    capella_sim.add_clusters(capella_sim.add_project("old"), 2)
    capella_sim.v4.add_clusters(capella_sim.v4.add_project("new"), 3)
    old = capella_target(capella_sim)
    old = CapellaTarget(api_url=old.api_url, credentials=old.credentials, name="v3-org")

    report = Monitor(settings(capella=old)).run(Deadline.after(20))
    assert [len(o.clusters) for o in report.capella] == [2]  # the v3 API has its own clusters only
    report = run(old, v4_target(capella_sim, name="v4-org")).run(Deadline.after(20))

    counts = {o.name: (o.status, len(o.clusters)) for o in report.capella}
    assert counts == {"v3-org": (Status.OK, 2), "v4-org": (Status.OK, 3)}
    assert report.healthy


def test_a_refused_list_or_a_missing_organisation_is_reported_and_the_others_go_on(
    capella_sim: CapellaSimulator,
) -> None:
    v4 = capella_sim.v4
    v4.add_clusters(v4.add_project("p"), 2)
    other_token = "other-organisation-token"
    other_org = v4.add_token(other_token)
    v4.add_clusters(v4.add_project("q", organization_id=other_org), 1)

    capella_sim.faults.add(f"/v4/organizations/{v4.organization_id}/projects", status=403, times=None)
    report = run(
        v4_target(capella_sim, name="refused"),
        v4_target(capella_sim, name="no-org", organization_id=None),
        v4_target(capella_sim, name="other", organization_id=other_org, token=other_token),
    ).run(Deadline.after(20))

    orgs = {o.name: o for o in report.capella}
    assert orgs["refused"].status is Status.ERROR
    assert "403" in (orgs["refused"].reason or "")
    assert orgs["refused"].clusters == []
    assert orgs["no-org"].status is Status.ERROR
    assert "OrganizationId" in (orgs["no-org"].reason or "")
    assert (orgs["other"].status, len(orgs["other"].clusters)) == (Status.OK, 1)


def test_registered_v4_endpoints_are_watched_with_the_token_from_their_secret(
    aws: None, capella_sim: CapellaSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    sm = boto3.client("secretsmanager", region_name=REGION)
    plain = sm.create_secret(Name="capella/plain", SecretString=capella_sim.v4.token)["ARN"]
    wrapped = sm.create_secret(
        Name="capella/json", SecretString=json.dumps({"ApiKeyToken": capella_sim.v4.token})
    )["ARN"]
    broken = sm.create_secret(Name="capella/broken", SecretString=json.dumps({"token": "x"}))["ARN"]
    capella_sim.v4.add_clusters(capella_sim.v4.add_project("p"), 2)
    for name, arn in (("plain", plain), ("wrapped", wrapped), ("broken", broken)):
        register_endpoint(
            "capella",
            name,
            capella_sim.url,
            credentials_secret_arn=arn,
            ApiVersion="v4",
            OrganizationId=capella_sim.v4.organization_id,
        )

    loaded = settings_from_env({})
    assert {t.name: t.api_version for t in loaded.capella} == {"plain": "v4", "wrapped": "v4", "broken": "v4"}
    report = Monitor(loaded).run(Deadline.after(20))

    orgs = {o.name: o for o in report.capella}
    assert (orgs["plain"].status, len(orgs["plain"].clusters)) == (Status.OK, 2)
    assert (orgs["wrapped"].status, len(orgs["wrapped"].clusters)) == (Status.OK, 2)
    assert orgs["broken"].status is Status.ERROR
    assert "ApiKeyToken" in (orgs["broken"].reason or "")
    text = json.dumps(report.to_dict()) + report.summary_line() + capsys.readouterr().out
    assert capella_sim.v4.token not in text
