"""Listing across pages by counting ``page``: exact ids, no duplicates, never following ``hrefs``."""

from __future__ import annotations

import pytest
from cbprovider.errors import ResponseFormatError


@pytest.mark.parametrize("count", [0, 1, 10, 11, 95])
@pytest.mark.parametrize("per_page", [10, 100])
def test_list_clusters_every_page(capella_sim, client, project_id, count, per_page):
    ids = capella_sim.add_clusters(project_id, count)
    items = list(client.iterate("/v3/clusters", per_page=per_page))
    got = [item["id"] for item in items]
    assert sorted(got) == sorted(ids)
    assert len(got) == len(set(got))
    pages = [c for c in capella_sim.calls if c.key == "GET /v3/clusters"]
    assert len(pages) == max(1, -(-count // per_page))


def test_list_clusters_typed_and_filtered_by_project(capella_sim, client, project_id):
    other = capella_sim.add_project("other")
    mine = capella_sim.add_clusters(project_id, 11)
    capella_sim.add_clusters(other, 3)
    summaries = client.list_clusters(project_id)
    assert sorted(s.id for s in summaries) == sorted(mine)
    assert {s.project_id for s in summaries} == {project_id}
    assert {s.environment for s in summaries} == {"hosted"}
    assert len(client.list_clusters()) == 14


def test_empty_v3_list_with_data_object(client):
    assert client.list_clusters() == []


def test_list_projects_across_pages(capella_sim, client):
    ids = [capella_sim.add_project(f"p{i:02d}") for i in range(23)]
    projects = client.list_projects()
    assert sorted(p.id for p in projects) == sorted(ids)
    assert {p.name for p in projects} == {f"p{i:02d}" for i in range(23)}


def test_iterate_small_pages_keeps_other_params(capella_sim, client):
    ids = [capella_sim.add_project(f"n{i:02d}") for i in range(7)]
    items = list(client.iterate("/v2/projects", {"sortBy": "name.desc"}, per_page=3))
    assert [i["id"] for i in items] == list(reversed(ids))


def test_hrefs_are_never_followed(capella_sim, client, project_id):
    capella_sim.add_clusters(project_id, 25)
    list(client.iterate("/v3/clusters", per_page=10))
    assert {c.path for c in capella_sim.calls} == {"/v3/clusters"}
    assert all(c.status == 200 for c in capella_sim.calls)


def test_clouds_and_org_users(client):
    clouds = client.list_clouds()
    users = client.list_org_users()
    assert len(clouds) == 1
    assert clouds[0].provider == "aws"
    assert clouds[0].status == "ready"
    assert len(users) == 1
    assert "@" in users[0].email


def test_garbage_list_body_is_a_format_error(capella_sim, client, project_id):
    capella_sim.add_clusters(project_id, 2)
    capella_sim.faults.add("GET /v3/clusters", malformed=True)
    with pytest.raises(ResponseFormatError, match="GET /v3/clusters"):
        client.list_clusters()
