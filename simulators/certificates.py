"""A fresh self-signed certificate for 127.0.0.1, for simulators served over TLS (``Simulator.with_tls``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


class OpensslMissing(FileNotFoundError):
    """openssl is not installed: no certificate can be made."""


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """``(certificate, key)`` PEM files for IP 127.0.0.1 (valid for a day), made with openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise OpensslMissing("openssl is not installed; cannot make a self-signed certificate")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(  # noqa: S603  # a fixed argument list, openssl found on PATH
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key
