"""Local HTTP simulators of the CloudBasic and Capella APIs, and a CloudFormation response receiver.

Each simulator is a real HTTP server on 127.0.0.1 with state, signature checks and fault injection.
"""
