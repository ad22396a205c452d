"""CloudBasic resource types (replication, HA cluster, user, activation) and their helpers."""
