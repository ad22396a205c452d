"""One version and consistent pins: the package's __version__, the template's SemanticVersion and the
changelog agree; the layer's pins, the test constraints and the package's ranges agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import cbprovider
from packaging.requirements import Requirement
from packaging.version import Version

from tests.template.cfn import ROOT, load

LAYER_REQUIREMENTS = ROOT / "layers/provider/requirements.txt"
CONSTRAINTS = ROOT / "constraints.txt"


def _pins(path: Path) -> dict[str, Version]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", line
            pins[requirement.name] = Version(specifier.version)
    return pins


def _project() -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def test_version_is_semantic_and_the_template_publishes_it():
    assert re.fullmatch(r"\d+\.\d+\.\d+", cbprovider.__version__)
    application = load()["Metadata"]["AWS::ServerlessRepo::Application"]
    assert application["SemanticVersion"] == cbprovider.__version__
    assert "version" in _project()["dynamic"]


def test_changelog_has_unreleased_then_the_current_version():
    releases = re.findall(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(), flags=re.MULTILINE)
    assert releases[0] == "Unreleased"
    assert releases[1] == cbprovider.__version__


def test_license_is_apache_everywhere():
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text
    assert "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert _project()["license"] == "Apache-2.0"
    assert load()["Metadata"]["AWS::ServerlessRepo::Application"]["SpdxLicenseId"] == "Apache-2.0"


def test_serverless_repo_metadata_has_what_sam_publish_needs():
    application = load()["Metadata"]["AWS::ServerlessRepo::Application"]
    for key in ("Name", "Description", "Author", "LicenseUrl", "ReadmeUrl", "HomePageUrl", "SourceCodeUrl"):
        assert application[key], key
    assert re.fullmatch(r"[a-zA-Z0-9\-]{1,140}", application["Name"])
    assert 1 <= len(application["Description"]) <= 256
    assert re.fullmatch(r"[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?", application["Author"])
    assert len(application["Labels"]) <= 10
    assert all(re.fullmatch(r"[a-zA-Z0-9+\-_:/@]{1,127}", label) for label in application["Labels"])
    assert (ROOT / application["LicenseUrl"]).is_file()
    assert (ROOT / application["ReadmeUrl"]).is_file()
    urls = _project()["urls"]
    assert application["HomePageUrl"] == urls["Homepage"]
    assert application["SourceCodeUrl"] == urls["Source"]


def test_layer_arn_is_exported():
    output = load()["Outputs"]["ProviderLayerArn"]
    assert output["Value"] == {"Ref": "ProviderLayer"}
    assert output["Export"]["Name"] == {"Fn::Sub": "${AWS::StackName}-ProviderLayerArn"}


def test_layer_pins_equal_the_test_constraints_and_fall_in_the_package_ranges():
    layer = _pins(LAYER_REQUIREMENTS)
    constraints = _pins(CONSTRAINTS)
    assert {name: constraints[name] for name in layer} == layer
    project = _project()
    ranges = {Requirement(r).name: Requirement(r) for r in project["dependencies"]}
    ranges |= {Requirement(r).name: Requirement(r) for r in project["optional-dependencies"]["aws"]}
    assert set(ranges) == set(constraints)
    for name, version in constraints.items():
        assert version in ranges[name].specifier, (name, version)
