"""A new container's first Create loads only what a successful Create runs.

The cold start of a provider is its handler's import plus what its first request imports. The code for
failures (reasons, scrubbed tracebacks, the clean-up of what a failed request made), for operations that
go on (poll state and rules, the hand-over to a look-up), for answers that could not be delivered and
for options a request may not use (a CA bundle, list pages, status waits) is imported by the paths that
run it. ``bench.first_request`` sends one real Create through the handler, against the vendor's
simulator and moto, in a fresh interpreter and lists the ``cbprovider`` modules it loaded.
"""

from __future__ import annotations

import pytest

from bench.first_request import in_a_new_interpreter

RUNTIME_ONLY_IF_NEEDED = frozenset(
    "cbprovider.runtime." + name
    for name in (
        "continuation",
        "delivery",
        "handover",
        "leftovers",
        "polling",
        "reasons",
        "replacement",
        "scrub",
        "sealing",
    )
)
"""Failures, long operations, undelivered answers: none runs on a Create answered SUCCESS at once."""
NOT_ON_A_FIRST_CREATE = {
    "cloudbasic_provider": RUNTIME_ONLY_IF_NEEDED
    | {"cbprovider.cloudbasic.ca_bundle", "cbprovider.secrets.owned"},
    "capella_provider": RUNTIME_ONLY_IF_NEEDED
    | {"cbprovider.capella.errors", "cbprovider.capella.pagination", "cbprovider.capella.polling"},
}


@pytest.mark.parametrize("function", sorted(NOT_ON_A_FIRST_CREATE))
def test_a_first_create_leaves_what_it_does_not_run_unimported(function):
    loaded = set(in_a_new_interpreter(function))
    assert "cbprovider.runtime.finish" in loaded  # the Create went through the whole pipeline
    assert sorted(loaded & NOT_ON_A_FIRST_CREATE[function]) == []
