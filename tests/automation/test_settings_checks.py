"""MonitorSettings refuses a concurrency out of range and duplicate endpoint names, whether built directly
or derived with ``msgspec.structs.replace`` (as a worker narrows the settings to its unit's endpoint)."""

from __future__ import annotations

import msgspec
import pytest
from cbprovider.automation.errors import InputError
from cbprovider.automation.settings import MAX_CONCURRENCY, CloudBasicTarget, MonitorSettings

A = CloudBasicTarget(name="a", api_url="https://a.example")
B = CloudBasicTarget(name="b", api_url="https://b.example")


@pytest.mark.parametrize("concurrency", [0, MAX_CONCURRENCY + 1])
def test_a_concurrency_out_of_range_is_refused(concurrency: int) -> None:
    with pytest.raises(InputError, match="between 1 and"):
        MonitorSettings(concurrency=concurrency)
    with pytest.raises(InputError, match="between 1 and"):
        msgspec.structs.replace(MonitorSettings(), concurrency=concurrency)


def test_duplicate_endpoint_names_are_refused() -> None:
    with pytest.raises(InputError, match="names must be unique: a"):
        MonitorSettings(cloudbasic=(A, B, A))
    with pytest.raises(InputError, match="names must be unique: a"):
        msgspec.structs.replace(MonitorSettings(cloudbasic=(A, B)), cloudbasic=(A, A))


def test_valid_settings_are_kept_as_given() -> None:
    settings = msgspec.structs.replace(MonitorSettings(cloudbasic=(A, B)), cloudbasic=(B,), concurrency=1)
    assert (settings.cloudbasic, settings.concurrency) == ((B,), 1)
