"""The CloudFormation resource types, one module each (imported lazily by the provider functions)."""
