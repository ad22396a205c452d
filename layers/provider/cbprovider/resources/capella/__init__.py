"""Couchbase Capella resource types (v3 and v4) and their helpers."""
