"""pytest plugin for the whole suite: the secret-leak check, the hypothesis profile, the fault-matrix table.

Secret-leak check: after each phase of each test (setup, call, teardown), every secret value the test
created or met (``tests.leak_secrets``) is looked for in what the test put out (``tests.leak_outputs``):
log records, CloudFormation responses, captured stdout/stderr/log, and the text of an exception that
reached pytest. A leak fails the test with a message naming where the value appeared and a short
fingerprint of it, never the value. A test that prints a secret on purpose opts out with
``@pytest.mark.allow_secret_output``.

Hypothesis: profile ``cbprovider`` (loaded unless ``HYPOTHESIS_PROFILE`` names another): no deadline,
derandomized when ``CI=true``, ``HYPOTHESIS_MAX_EXAMPLES`` examples (default 25) per property.

Fault matrix: tests record cells with ``record_matrix_cell(request, ...)``; the table is printed at the
end of the run (under xdist too: cells travel in the reports' ``user_properties``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Generator, Iterable, Iterator
from typing import Any

import pytest

from tests import leak_outputs, leak_secrets

MARKER = "allow_secret_output"
PROFILE = "cbprovider"
MATRIX_PROPERTY = "fault_matrix_cell"

# Leaks found in tests outside this plugin's area, reported like strict xfails until they are fixed: the
# test is shown as xfailed while the leak is there, and fails once it is gone (remove the entry then).
KNOWN_LEAKS: dict[str, str] = {}
_checked_responses: pytest.StashKey[set[tuple[str, int]]] = pytest.StashKey()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}: the test prints or logs a secret on purpose; the secret-leak check skips it",
    )
    leak_secrets.install()
    leak_outputs.wrap_capture_fixture()
    if config.getoption("capture", None) == "no":
        leak_outputs.tee_standard_streams()
    _register_hypothesis_profile()


def _register_hypothesis_profile() -> None:
    from hypothesis import HealthCheck, settings

    ci = os.environ.get("CI", "").strip().lower() == "true"
    extra: dict[str, Any] = {"database": None} if ci else {}
    settings.register_profile(
        PROFILE,
        **extra,
        deadline=None,
        derandomize=ci,
        max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "25")),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=ci,
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", PROFILE))


# -- secret-leak check ----------------------------------------------------------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    leak_secrets.LEDGER.reset()
    leak_outputs.HANDLER.drain()
    leak_outputs.READ_BY_TESTS.drain()
    leak_outputs.PRINTED.drain()
    leak_outputs.attach()
    item.stash[_checked_responses] = set()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    leak_outputs.attach()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    leak_outputs.attach()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    places = list(_outputs(item, report))
    if item.get_closest_marker(MARKER) is not None:
        return report
    secrets = leak_secrets.LEDGER.values()
    leaks = sorted({(where, _fingerprint(s)) for where, text in places for s in secrets if s in text})
    known = KNOWN_LEAKS.get(item.nodeid)
    if leaks and known and report.passed:
        report.outcome = "skipped"
        report.wasxfail = f"known secret leak: {known}"
    elif leaks:
        _fail(report, leaks)
    elif known and report.when == "call" and report.passed:
        report.outcome = "failed"
        report.longrepr = (
            f"[XPASS(strict)] the known secret leak is gone; remove it from KNOWN_LEAKS: {known}"
        )
    return report


def _outputs(item: pytest.Item, report: pytest.TestReport) -> Iterator[tuple[str, str]]:
    for text in leak_outputs.HANDLER.drain():
        yield f"a log record ({text.split(':', 1)[0]})", text
    yield "output the test read through capsys/capfd", leak_outputs.READ_BY_TESTS.drain()
    yield "output printed with capture off", leak_outputs.PRINTED.drain()
    for title, content in report.sections:
        if title.endswith(f" {report.when}"):
            yield title.lower(), content
    if report.failed and report.longrepr is not None:
        yield f"the exception or failure text of the {report.when} phase", report.longreprtext
    seen = item.stash.get(_checked_responses, set())
    for index, (request_id, body) in enumerate(leak_outputs.response_bodies(leak_secrets.LEDGER.simulators)):
        if (request_id, index) not in seen:
            seen.add((request_id, index))
            yield f"the CloudFormation response for request {request_id}", body


def _fingerprint(secret: str) -> str:
    return f"{len(secret)} chars, sha256 {hashlib.sha256(secret.encode()).hexdigest()[:10]}"


def _fail(report: pytest.TestReport, leaks: Iterable[tuple[str, str]]) -> None:
    lines = [f"- a secret ({fingerprint}) appeared in {where}" for where, fingerprint in leaks]
    hint = f"(mark the test @pytest.mark.{MARKER} only if printing the secret is its purpose)"
    text = "\n".join(["secret-leak check: known secret values appeared in the test's output", *lines, hint])
    if report.failed:
        report.sections.append(("secret-leak check", text))
        return
    report.outcome = "failed"
    report.longrepr = text


# -- fault matrix table ---------------------------------------------------------------------------------
API_TABLE = "fault matrix (resource x request, fault: response status / check)"


def record_matrix_cell(
    request: pytest.FixtureRequest,
    row: str,
    column: str,
    cell: str,
    *,
    column_order: int = 0,
    table: str = API_TABLE,
) -> None:
    """Record one cell of a fault matrix ``table`` (shown at the end of the run, columns by
    ``column_order``)."""
    entry = json.dumps([row, column, cell, column_order, table])
    request.node.user_properties.append((MATRIX_PROPERTY, entry))


_cells: dict[str, dict[tuple[str, str], str]] = {}
_column_order: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, value in report.user_properties:
        if name == MATRIX_PROPERTY and report.when == "call":
            row, column, cell, order, table = json.loads(str(value))
            _column_order.setdefault(table, {})[column] = int(order)
            if report.outcome == "skipped" and hasattr(report, "wasxfail"):
                cell = f"{cell} xfail"
            elif report.failed:
                cell = f"{cell} FAIL"
            _cells.setdefault(table, {})[(row, column)] = cell


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.evidence.matrix_table import render

    for table, cells in sorted(_cells.items(), key=lambda item: item[0] != API_TABLE):
        terminalreporter.section(table)
        for line in render(cells, _column_order[table]):
            terminalreporter.write_line(line)
