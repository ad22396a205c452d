"""The response receiver: presigned-looking URLs, capture, waiting and faults."""

from __future__ import annotations

import threading

import pytest
import requests


def test_captures_a_put_with_its_request_id(cfn_receiver):
    url = cfn_receiver.url_for("req-1")
    assert "X-Amz-Signature=" in url
    assert len(url.split("?", 1)[1]) > 200
    answer = requests.put(url, data=b'{"Status": "SUCCESS"}', headers={"Content-Type": ""}, timeout=5)
    assert answer.status_code == 200
    captured = cfn_receiver.wait_for("req-1", timeout=1)
    assert (captured.request_id, captured.body, captured.size) == ("req-1", {"Status": "SUCCESS"}, 21)
    assert cfn_receiver.responses_for("other") == []


def test_wait_for_blocks_until_the_response_arrives(cfn_receiver):
    url = cfn_receiver.url_for("late")
    timer = threading.Timer(0.2, lambda: requests.put(url, data=b"{}", timeout=5))
    timer.start()
    assert cfn_receiver.wait_for("late", timeout=5).body == {}
    with pytest.raises(TimeoutError):
        cfn_receiver.wait_for("never", timeout=0.1)


def test_faults_by_path(cfn_receiver):
    cfn_receiver.faults.fail_times(cfn_receiver.path_for("f"), 2)
    url = cfn_receiver.url_for("f")
    assert [requests.put(url, data=b"{}", timeout=5).status_code for _ in range(3)] == [503, 503, 200]
    assert len(cfn_receiver.responses_for("f")) == 1
