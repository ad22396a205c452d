"""``python -m bench`` (``make bench``): the figures a team choosing this provider asks about.

Each item has its own module returning a :class:`bench.table.Table`: cold start
(``coldstart``), layer and function package sizes (``packaging``), per-request overhead of the
runtime (``overhead``), signing throughput (``signing``), monitor passes (``monitor``) and peak
memory per handler invocation (``memory``). ``__main__`` runs them and writes ``docs/benchmarks.md``.

Nothing here is imported by the Lambda layer; the bench may use moto and the simulators.
"""
