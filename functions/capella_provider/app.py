"""CloudFormation provider for the Couchbase Capella resource types (each imported only when requested)."""

from cbprovider.runtime import Provider

lambda_handler = Provider(
    {
        "Custom::CapellaProject": "cbprovider.resources.capella.versions:CapellaProjectType",
        "Custom::CapellaCluster": "cbprovider.resources.capella.versions:CapellaClusterType",
        "Custom::CapellaDatabaseUser": "cbprovider.resources.capella.database_user:CapellaDatabaseUser",
        "Custom::CapellaBucket": "cbprovider.resources.capella.bucket:CapellaBucket",
        "Custom::CapellaAllowedCidr": "cbprovider.resources.capella.allowed_cidr:CapellaAllowedCidr",
        "Custom::CapellaDatabaseCredential": (
            "cbprovider.resources.capella.database_credential:CapellaDatabaseCredential"
        ),
    }
)
