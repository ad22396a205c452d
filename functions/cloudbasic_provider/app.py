"""CloudFormation provider for the CloudBasic resource types (each imported only when requested)."""

from cbprovider.runtime import Provider

lambda_handler = Provider(
    {
        "Custom::CloudBasicReplication": "cbprovider.resources.cloudbasic.replication:Replication",
        "Custom::CloudBasicHACluster": "cbprovider.resources.cloudbasic.ha_cluster:HACluster",
        "Custom::CloudBasicUser": "cbprovider.resources.cloudbasic.user:User",
        "Custom::CloudBasicActivation": "cbprovider.resources.cloudbasic.activation:Activation",
    }
)
