"""The SSL context of the response PUT is made once per container, not once per response."""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cbprovider.deadline import Deadline
from cbprovider.runtime import Timing, response
from cbprovider.runtime.response import ResponseSender
from cbprovider.runtime.response_url import ResponseUrl

from simulators.cloudformation import ResponseReceiver
from tests.tls import self_signed_certificate


@pytest.fixture
def tls_receiver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ResponseReceiver]:
    """A response receiver over TLS whose certificate the default trust roots include (``SSL_CERT_FILE``)."""
    cert, key = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setenv("CFN_RESPONSE_URL_HOSTS", "127.0.0.1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setattr(response, "_put_context", None)  # as in a fresh container
    with ResponseReceiver().with_tls(cert, key) as receiver:
        yield receiver


def test_two_https_responses_build_one_ssl_context(
    tls_receiver: ResponseReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    for name in ("create_default_context", "_create_default_https_context"):
        original = getattr(ssl, name)

        def counted(*args: object, _original: Any = original, _name: str = name, **kwargs: object) -> Any:
            made.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(ssl, name, counted)
    sender = ResponseSender(Timing())
    request_ids = [str(uuid.uuid4()) for _ in range(2)]
    for request_id in request_ids:
        url = tls_receiver.url_for(request_id)
        assert url.startswith("https://")
        sender.put(ResponseUrl.checked(url, "us-east-1", "aws"), b'{"Status":"SUCCESS"}', Deadline.after(10))
    assert [len(tls_receiver.responses_for(request_id)) for request_id in request_ids] == [1, 1]
    assert made == ["create_default_context"]
    assert response.put_context() is response.put_context()
