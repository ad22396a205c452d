"""CloudFormation provider for the Couchbase Capella resource types (each imported only when requested)."""

from cbprovider.runtime import Provider

lambda_handler = Provider(
    {
        "Custom::CapellaProject": "cbprovider.resources.capella_versions:CapellaProjectType",
        "Custom::CapellaCluster": "cbprovider.resources.capella_versions:CapellaClusterType",
        "Custom::CapellaDatabaseUser": "cbprovider.resources.capella_database_user:CapellaDatabaseUser",
    }
)
