"""Scheduled and on-demand automation: the replication monitor and DR promotion.

- ``cbprovider.automation.monitor``: one monitoring pass over CloudBasic endpoints and a Capella org;
- ``cbprovider.automation.metrics``: the pass as CloudWatch embedded-metric-format documents;
- ``cbprovider.automation.promotion``: PromoteDbReplicaToPrimary followed to its end, resumable;
- ``cbprovider.automation.dns``: the Route 53 CNAME upsert after a promotion;
- ``cbprovider.automation.handlers``: the Lambda entry points the thin function modules call.

This package imports nothing on its own; each module pulls in only what it needs.
"""
