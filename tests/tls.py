"""A fresh self-signed certificate for 127.0.0.1, for the tests that serve a simulator over TLS."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.certificates import OpensslMissing
from simulators.certificates import self_signed_certificate as make_certificate


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """``(certificate, key)`` PEM files for 127.0.0.1 made with openssl (the test is skipped without it)."""
    try:
        return make_certificate(directory)
    except OpensslMissing as missing:
        pytest.skip(str(missing))
