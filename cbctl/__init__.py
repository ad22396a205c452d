"""``cbctl``: the operator's command line for the CloudBasic and Capella APIs, simulators and demo."""
