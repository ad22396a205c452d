"""One handler invocation in a fresh interpreter, with its memory measured (run by ``bench.memory``).

Reads a JSON spec on stdin: ``function`` (a ``functions/`` folder), ``event``, ``env`` and ``secrets``
(name -> JSON value, created in moto's Secrets Manager; any string ``secret:<name>`` in ``event`` or
``env`` becomes that secret's ARN). Inside moto it loads the handler, then measures the invocation
alone: with ``trace`` true the ``tracemalloc`` peak, else the growth of ``ru_maxrss`` (tracemalloc's own
bookkeeping would inflate it). Prints one JSON line last.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import tracemalloc
from typing import Any

SECRET_REF = "secret:"  # noqa: S105  # a placeholder prefix, not a password


def substitute(value: Any, arns: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith(SECRET_REF):
        return arns[value[len(SECRET_REF) :]]
    if isinstance(value, dict):
        return {k: substitute(v, arns) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, arns) for v in value]
    return value


def maxrss_bytes() -> int:
    """This address space's peak RSS (``VmHWM``), else ``ru_maxrss``.

    ``ru_maxrss`` alone can report the parent's peak: ``subprocess`` may start the child with ``vfork``
    and Linux keeps the old address space's high-water mark across ``exec``.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> int:
    spec = json.load(sys.stdin)
    from cbprovider.secrets.sharing import sharing_tags

    from simulators.cloudformation_play import CloudFormationPlay
    from simulators.stack import LambdaContext, cloudformation_api, load_handler, local_aws, register_endpoint

    with local_aws() as boto3:
        sm = boto3.client("secretsmanager")
        arns = {
            name: str(sm.create_secret(Name=name, SecretString=json.dumps(value), Tags=sharing_tags())["ARN"])
            for name, value in spec["secrets"].items()
        }
        os.environ.update(substitute(spec["env"], arns))
        for vendor, entry in substitute(spec.get("endpoints", {}), arns).items():
            register_endpoint(vendor, "default", **{k.lower(): v for k, v in entry.items()})
        event = substitute(spec["event"], arns)
        CloudFormationPlay(cloudformation_api()).before(event)  # as CloudFormation records it
        handler = load_handler(spec["function"])
        gc.collect()
        before = maxrss_bytes()
        peak = 0
        if spec.get("trace"):
            tracemalloc.start()
        result = handler(event, LambdaContext(seconds=60.0))
        if spec.get("trace"):
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        after = maxrss_bytes()
    summary = result if isinstance(result, dict) else {}
    print(
        json.dumps(
            {
                "peak": peak,
                "maxrss_before": before,
                "maxrss_after": after,
                "status": summary.get("status"),
                "healthy": summary.get("healthy"),
                "failures": (len(summary["batchItemFailures"]) if "batchItemFailures" in summary else None),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
