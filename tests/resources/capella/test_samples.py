"""The sample events (events/capella-*.json) and the example stack (examples/capella.yaml) fit the types."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from cbprovider.resources.capella.cluster import CapellaCluster
from cbprovider.resources.capella.cluster_spec import CapellaClusterProperties, check
from cbprovider.resources.capella.database_user import CapellaDatabaseUser
from cbprovider.resources.capella.project import CapellaProject
from cbprovider.runtime import ResourceType
from cbprovider.runtime.properties import property_names

from tests.resources.sample_events import NAMES, check_sample_event, load_event

ROOT = Path(__file__).resolve().parents[3]
TYPES: dict[str, ResourceType[Any]] = {
    "project": CapellaProject(),
    "cluster": CapellaCluster(),
    "database-user": CapellaDatabaseUser(),
}


@pytest.mark.parametrize("kind", sorted(TYPES))
@pytest.mark.parametrize("name", NAMES)
def test_sample_events_parse_and_classify(kind: str, name: str) -> None:
    event = load_event(f"capella-{kind}", name)
    assert event["ResponseURL"].startswith("https://")
    props = check_sample_event(TYPES[kind], event, name)
    if isinstance(props, CapellaClusterProperties):
        check(props)


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation's short-form tags (``!Ref``, ``!GetAtt``...) as ``{"!Tag": value}``."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {f"!{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tagged)


def test_the_example_stack_uses_only_known_properties_and_the_exported_tokens() -> None:
    template = yaml.load((ROOT / "examples" / "capella.yaml").read_text(), Loader=_CfnLoader)  # noqa: S506
    by_type = {resource.type_name: resource for resource in TYPES.values()}
    seen = set()
    for resource in template["Resources"].values():
        if not resource["Type"].startswith("Custom::"):
            continue
        declared = by_type[resource["Type"]]
        seen.add(resource["Type"])
        props = resource["Properties"]
        token = props["ServiceToken"]["!ImportValue"]["Fn::Sub"]
        assert token == "${ProviderStack}-" + resource["Type"].removeprefix("Custom::") + "ServiceToken"
        known = property_names(declared.properties_model)
        assert set(props) <= known, set(props) - known
    assert seen == set(by_type)
    assert template["Resources"]["OrdersCluster"]["Properties"]["ServiceTimeout"] == 3600
    tags = template["Resources"]["AppPasswordSecret"]["Properties"]["Tags"]
    assert {"Key": "cfn-replication-provider:shared-with", "Value": {"!Ref": "AWS::StackName"}} in tags
