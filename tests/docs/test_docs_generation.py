"""The documentation site's generated parts: property tables from the models, README sections, and one page
per resource type the provider functions serve. (`make docs`, part of `make test`, builds the site itself.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, ClassVar, Literal

import msgspec
import pytest
from cbprovider.runtime.properties import PropertiesModel
from msgspec import Meta

from tools.docs_hooks import MarkerError, fill, readme_section
from tools.properties_tables import model_table, nested_models, resource_tables, versions_of

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _served_types() -> dict[str, str]:
    served: dict[str, str] = {}
    for app in sorted((ROOT / "functions").glob("*/app.py")):
        served |= dict(re.findall(r'"(Custom::\w+)":\s*\(?\s*"([\w.]+:\w+)"', app.read_text()))
    return served


class _Disk(PropertiesModel):
    size_gb: Annotated[int, Meta(ge=50, le=16384)]
    kind: Literal["GP3", "IO2"] = "GP3"


class _Sample(PropertiesModel):
    excluded: ClassVar[frozenset[str]] = frozenset({"service_token"})

    name: Annotated[str, Meta(min_length=2, max_length=128)]
    disks: Annotated[tuple[_Disk, ...], Meta(min_length=1)]
    tags: list[str] | None = None
    enabled: bool = True
    service_token: str | None = None


def test_every_served_resource_type_has_a_page_with_its_generated_tables():
    served = _served_types()
    assert len(served) == 10
    pages = {p: p.read_text() for p in (DOCS / "resources").glob("*.md")}
    for type_name, spec in served.items():
        holding = [p for p, text in pages.items() if f"<!-- properties: {spec} -->" in text]
        assert len(holding) == 1, type_name
        assert holding[0].read_text().startswith(f"# {type_name}\n")
        nav = (ROOT / "mkdocs.yml").read_text()
        assert f"resources/{holding[0].name}" in nav


def test_a_model_becomes_rows_with_types_requirement_defaults_and_constraints():
    table = model_table(_Sample, frozenset({"Name"}))
    rows = table.splitlines()
    assert rows[0] == "| property | type | required | default | constraints | change |"
    name_row = "| `Name` | string | yes |  | at least 2 characters, at most 128 characters | replaces |"
    assert rows[2] == name_row
    assert rows[3] == (
        "| `Disks` | list of object [`_Disk`](#_disk) | yes |  | at least 1 items | in place |"
    )
    assert rows[4] == "| `Tags` | list of string | no |  |  | in place |"
    assert rows[5] == "| `Enabled` | boolean | no | `true` |  | in place |"
    assert "ServiceToken" not in table
    assert nested_models(_Sample) == [_Disk]
    disk = model_table(_Disk, frozenset())
    assert "| `SizeGb` | integer | yes |  | >= 50, <= 16384 |" in disk
    assert "| `Kind` | one of `GP3`, `IO2` | no | `GP3` |  |" in disk


@pytest.mark.parametrize("spec", sorted(_served_types().values()))
def test_real_tables_list_every_accepted_property(spec):
    from tools.properties_tables import load_resource_type

    tables = resource_tables(spec)
    versions = versions_of(load_resource_type(spec))
    # A versioned type's tables are its versions' ones, each under its own heading.
    sections = re.split(r"^### API (v\d+)$", tables, flags=re.MULTILINE) if versions else ["", "", tables]
    shown = dict(zip(sections[1::2], sections[2::2], strict=True))
    assert set(shown) == (set(versions) or {""}), spec
    for version, implementation in (versions or {"": spec}).items():
        resource = load_resource_type(implementation)
        model = resource.properties_model
        for field in msgspec.structs.fields(model):
            if field.name not in model.excluded:
                assert f"| `{field.encode_name}` |" in shown[version], (spec, version, field.encode_name)
        for name in {*resource.replacement_properties, "Endpoint"}:
            assert re.search(rf"\| `{name}` \|.*\| replaces \|", shown[version]), (spec, version, name)


def test_a_versioned_type_shows_each_version_with_its_own_replacement_rules():
    tables = resource_tables("cbprovider.resources.capella.versions:CapellaClusterType")
    v3, _, v4 = tables.partition("### API v4")
    assert v3.startswith("### API v3")
    assert "| `Servers` |" in v3
    assert "| `Servers` |" not in v4
    assert "| `ServiceGroups` |" in v4
    assert "| `ServiceGroups` |" not in v3
    assert re.search(r"\| `Name` \|.*\| in place \|", v4)
    project = resource_tables("cbprovider.resources.capella.versions:CapellaProjectType")
    v3_project, _, v4_project = project.partition("### API v4")
    assert re.search(r"\| `Name` \|.*\| replaces \|", v3_project)
    assert re.search(r"\| `Name` \|.*\| in place \|", v4_project)


def test_readme_sections_are_included_up_to_the_next_heading_with_docs_links_fixed():
    readme = "# T\n\n## A\n\ntext [b](docs/benchmarks.md)\n\n### A1\n\nmore\n\n## B\n\nother\n"
    assert readme_section("A", readme) == "text [b](benchmarks.md)\n\n### A1\n\nmore"
    assert readme_section("A1", readme) == "more"
    with pytest.raises(MarkerError):
        readme_section("Missing", readme)


def test_markers_are_filled_and_a_wrong_one_fails_the_build(tmp_path):
    filled = fill("x\n<!-- readme: What CloudFormation users can count on -->\n", tmp_path)
    assert "exactly one response" in filled
    assert "<!--" not in filled
    with pytest.raises(MarkerError):
        fill("<!-- file: NO-SUCH-FILE.md -->", tmp_path)
    (tmp_path / "security-threats.md").write_text("# Threat model\n")
    assert "[Threat model](security-threats.md)" in fill("<!-- security-pages -->", tmp_path)
