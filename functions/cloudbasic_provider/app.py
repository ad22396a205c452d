"""CloudFormation provider for the CloudBasic resource types (each imported only when requested)."""

from cbprovider.runtime import Provider

lambda_handler = Provider(
    {
        "Custom::CloudBasicReplication": "cbprovider.resources.replication:Replication",
        "Custom::CloudBasicHACluster": "cbprovider.resources.ha_cluster:HACluster",
        "Custom::CloudBasicUser": "cbprovider.resources.user:User",
        "Custom::CloudBasicActivation": "cbprovider.resources.activation:Activation",
    }
)
