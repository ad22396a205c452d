"""The bench's pieces run at tiny sizes and render tables (no timing is asserted)."""

from __future__ import annotations

import pytest

from bench import coldstart, layer, monitor, overhead, packaging, signing
from bench.memory_child import substitute
from bench.report import render
from bench.table import Table


def rows_of(table: Table) -> list[list[str]]:
    assert table.rows, table.title
    assert all(len(row) == len(table.columns) for row in table.rows)
    return table.rows


def test_table_renders_markdown_and_checks_its_width():
    table = Table("T", "intro", ["a", "b"])
    table.add("x|y", 2)
    assert "| x\\|y | 2 |" in table.markdown()
    with pytest.raises(ValueError, match="columns"):
        table.add("only one")


def test_signing_measures_all_three_signers():
    table = signing.measure(batch=20, batches=3)
    assert [row[0] for row in rows_of(table)][1] == "botocore `SigV4Auth.add_auth` alone"


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """The layer built by its makefile, read-only, with the runtime's boto3 (needs the package index)."""
    work = tmp_path_factory.mktemp("deployed")
    try:
        yield layer.deploy(work)
    finally:
        layer.writable(work)


def test_the_deployed_layer_is_read_only_compiled_and_ships_no_runtime_package(deployed):
    site = deployed.opt_python
    assert not any(path.stat().st_mode & 0o222 for path in [site, *site.rglob("*")])
    assert list((site / "cbprovider" / "runtime" / "__pycache__").glob("provider.*.pyc"))
    assert not [name for name in packaging.RUNTIME_PACKAGES if (site / name).exists()]
    assert (deployed.runtime / "urllib3").is_dir()


def test_cold_start_children_alternate_and_pair_with_import_crhelper(deployed):
    targets = [coldstart.IMPORT_CRHELPER, coldstart.handler_target("capella_provider")]
    samples = coldstart.alternated(targets, deployed, rounds=2)
    assert samples[coldstart.IMPORT_CRHELPER.label].ratios == [1.0, 1.0]
    handler = samples["capella_provider"]
    assert len(handler.ratios) == 2
    assert all(cpu > 0 for cpu in handler.cpu)
    assert all(cpu > 0 for cpu in handler.clients_cpu)


def test_census_of_a_handler_lists_heavy_groups(deployed):
    data = coldstart.census(coldstart.handler_target("capella_provider"), deployed)
    groups = coldstart.loaded_groups(data["modules"])
    assert not any(group.startswith("crhelper") for group in groups), "the runtime no longer uses crhelper"
    assert any(group.startswith("msgspec") for group in groups), "the properties are msgspec structs"
    assert data["maxrss_kb"] > 0


def test_template_python_is_found_or_said_to_be_missing():
    python = layer.interpreter()
    assert python.wanted == layer.template_runtime()[0]
    assert ("NOT on the deployed Python" in python.describe()) != python.exact


def test_monitor_pass_checks_every_replication():
    done = monitor.run_pass(3, 2, latency=0.0)
    assert done.ok == 4
    assert done.problems == 0
    assert done.calls >= 4


def test_overhead_round_trips_succeed_and_leave_nothing(tmp_path):
    table = overhead.measure(rounds=1)
    assert [row[0] for row in rows_of(table)] == ["Create", "Update", "Delete"]
    assert all("dynamodb." in row[3] for row in table.rows)
    assert any("{'rules': [], 'poll_state': []}" in note for note in table.notes)
    document = render([table], command="python -m bench", seconds=1.0)
    assert document.startswith("# Benchmarks")
    assert "## How to reproduce" in document


def test_import_self_time_is_attributed_to_package_groups():
    shares = coldstart.self_times("import msgspec", ())
    assert shares["msgspec"] > 0
    assert set(shares) <= {*coldstart.PACKAGE_SHARES, coldstart.OTHER}


def test_every_function_folder_is_zipped(tmp_path):
    table = packaging.measure_functions(tmp_path)
    assert {row[0] for row in rows_of(table)} >= {"cloudbasic_provider", "capella_provider"}


def test_memory_spec_secret_references_become_arns():
    arns = {"admin": "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-AbCdEf"}
    spec = {"A": ["secret:admin", "plain"], "B": {"C": "secret:admin"}, "D": 1}
    assert substitute(spec, arns) == {"A": [arns["admin"], "plain"], "B": {"C": arns["admin"]}, "D": 1}


def test_https_variants_alternate_and_keep_one_handshake():
    from bench import https

    table = https.measure(rounds=1)
    assert [row[0] for row in rows_of(table)] == ["Create", "Update", "Delete"]
    handshakes = next(note for note in table.notes if note.startswith("TLS handshakes"))
    assert ": 1 with the sessions kept, 6 rebuilt per request" in handshakes
    assert any("{'rules': [], 'poll_state': []}" in note for note in table.notes)


def test_completion_lag_with_polling_on_and_off(monkeypatch):
    from bench import lag

    monkeypatch.setattr(lag, "SEEDING", 0.3)
    table = lag.measure(rounds=1)
    on, off = rows_of(table)
    assert on[0] == lag.ON
    assert on[3] == "met"
    assert off[0] == lag.OFF
    assert float(off[1].removesuffix(" s")) >= 50
    assert any("{'rules': [], 'poll_state': []}" in note for note in table.notes)


def test_fleet_run_covers_every_replication_both_ways():
    from bench import fleet

    table = fleet.measure(endpoints=3, replications=4, latency=0.0)
    rows = rows_of(table)
    assert [row[0] for row in rows] == ["single function", "fanned out (in process)"]
    assert [row[1] for row in rows] == ["1", "3"]
    assert all(row[3] == "12 of 12" and row[4] == "100.0%" for row in rows)


@pytest.mark.parametrize("name", coldstart.PROVIDERS)
def test_the_first_request_imports_the_module_the_handler_maps_its_type_to(name):
    import re
    from pathlib import Path

    type_name, modules = coldstart.FIRST_REQUEST[name]
    source = (Path(__file__).resolve().parents[2] / "functions" / name / "app.py").read_text()
    mapped = re.search(rf'"{re.escape(type_name)}":\s*\(?\s*"([\w.]+):', source)
    assert mapped is not None, f"{type_name} is not in functions/{name}/app.py"
    assert modules[0] == mapped.group(1)


@pytest.mark.parametrize("name", coldstart.PROVIDERS)
def test_the_first_request_list_loads_what_a_real_first_create_loads(name):
    """The cold-start rows import ``FIRST_REQUEST`` instead of sending a request: the project modules that
    list loads are exactly those a new container has loaded once it has answered a real Create."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from bench.first_request import in_a_new_interpreter

    repo = Path(__file__).resolve().parents[2]
    created = set(in_a_new_interpreter(name))
    script = coldstart.census_script(coldstart.handler_target(name), [str(repo / "functions" / name)])
    listed = subprocess.run(
        [sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, check=True
    )
    imported = {m for m in json.loads(listed.stdout)["modules"] if m.split(".")[0] == "cbprovider"}
    assert "cbprovider.runtime.pipeline" in created
    assert imported == created, (
        f"listed only: {sorted(imported - created)}; Create only: {sorted(created - imported)}"
    )
