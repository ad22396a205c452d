"""Tolerant model parsing, page parsing and the cost of importing the package (no HTTP here)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from cbprovider.capella.models import (
    Cluster,
    ClusterSummary,
    DatabaseUser,
    ModelError,
    Project,
    ServerGroup,
    Storage,
    SupportPackage,
)
from cbprovider.capella.pagination import parse_page
from cbprovider.capella.polling import StatusWait
from cbprovider.deadline import Deadline


def test_models_ignore_unknown_fields_and_default_missing_ones():
    project = Project.from_json({"id": "p1", "unexpected": [1, 2]})
    assert project == Project(id="p1", name="", tenant_id="", created_at="")
    summary = ClusterSummary.from_json({"id": "c1", "name": "n", "projectId": "p1", "environment": "inVpc"})
    assert summary.cloud_id is None
    cluster = Cluster.from_json({"id": "c1", "status": "deploying", "servers": "not-a-list", "place": None})
    assert (cluster.servers, cluster.provider, cluster.endpoints_srv, cluster.support) == ((), "", None, None)


def test_cluster_parses_the_documented_shape():
    cluster = Cluster.from_json(
        {
            "id": "c1",
            "name": "orders",
            "status": "healthy",
            "place": {"provider": "gcp", "region": "us-east1", "CIDR": "10.1.0.0/20"},
            "servers": [
                {
                    "size": "3",
                    "compute": "n2-standard-4",
                    "services": ["data"],
                    "storage": {"type": "PD-SSD", "size": 50},
                }
            ],
            "support": {"type": "Enterprise", "timezone": "ET"},
            "version": {"name": "7.1.3"},
            "endpointsSrv": "cb.example.cloud.couchbase.com",
        }
    )
    assert cluster.servers == (ServerGroup(3, "n2-standard-4", ("data",), Storage("PD-SSD", 50)),)
    assert cluster.servers[0].to_json()["storage"] == {"type": "PD-SSD", "size": 50}
    assert cluster.support == SupportPackage("Enterprise", "ET")
    assert (cluster.cidr, cluster.version, cluster.endpoints_srv) == (
        "10.1.0.0/20",
        "7.1.3",
        "cb.example.cloud.couchbase.com",
    )


@pytest.mark.parametrize("bad", [None, [], "x", {"name": "no id"}, {"id": 7}, {"id": ""}])
def test_identity_is_required(bad):
    with pytest.raises(ModelError):
        Project.from_json(bad)


def test_database_user_without_password():
    user = DatabaseUser.from_json(
        {"username": "app", "password": "never-here", "allBucketsAccess": "data_reader"}
    )
    assert "never-here" not in repr(user)
    with pytest.raises(ModelError):
        DatabaseUser.from_json({"allBucketsAccess": "data_reader"})


def test_parse_page_shapes():
    v2 = parse_page({"cursor": {"pages": {"page": 1, "next": 2, "last": 3}}, "data": [{"id": "a"}]})
    assert (v2.items, v2.last, v2.has_next, v2.more_after(1), v2.more_after(3)) == (
        [{"id": "a"}],
        3,
        True,
        True,
        False,
    )
    empty_v3 = parse_page({"cursor": {"pages": {"page": 1, "last": 1}}, "data": {}})
    assert (empty_v3.items, empty_v3.more_after(1)) == ([], False)
    items_v3 = parse_page({"data": {"tenantId": "t", "items": [{"id": "b"}]}})
    assert (items_v3.items, items_v3.more_after(1)) == ([{"id": "b"}], False)
    assert parse_page([{"username": "u"}]).items == [{"username": "u"}]
    no_last = parse_page({"cursor": {"pages": {"page": 1, "next": 2}}, "data": [{"id": "a"}]})
    assert no_last.more_after(1) is True


@pytest.mark.parametrize("bad", ["text", {"id": "not a list"}, {"data": 5}, {"data": {"items": {}}}])
def test_parse_page_refuses_non_lists(bad):
    with pytest.raises(ModelError):
        parse_page(bad)


def test_poll_interval_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        StatusWait("c", "healthy", (), Deadline.after(1), 0)


def test_package_import_is_lazy_and_the_layer_pulls_in_no_test_tools():
    code = (
        "import sys, cbprovider.capella as c\n"
        "assert 'requests' not in sys.modules and 'cbprovider.capella.client' not in sys.modules\n"
        "c.CapellaClient\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('moto', 'pytest', 'simulators', 'boto3')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
