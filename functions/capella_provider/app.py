"""CloudFormation provider for the Couchbase Capella resource types (each imported only when requested)."""

from cbprovider.runtime import Provider

lambda_handler = Provider(
    {
        "Custom::CapellaProject": "cbprovider.resources.capella_versions:CapellaProjectType",
        "Custom::CapellaCluster": "cbprovider.resources.capella_versions:CapellaClusterType",
        "Custom::CapellaDatabaseUser": "cbprovider.resources.capella_database_user:CapellaDatabaseUser",
        "Custom::CapellaBucket": "cbprovider.resources.capella_bucket:CapellaBucket",
        "Custom::CapellaAllowedCidr": "cbprovider.resources.capella_allowed_cidr:CapellaAllowedCidr",
        "Custom::CapellaDatabaseCredential": (
            "cbprovider.resources.capella_database_credential:CapellaDatabaseCredential"
        ),
    }
)
