"""Client library and CloudFormation custom-resource runtime for CloudBasic and Couchbase Capella.

Import what you need from the subpackages (``cbprovider.cloudbasic``, ``cbprovider.capella``,
``cbprovider.runtime``); this top-level module stays empty so that importing it costs nothing.
"""

__version__ = "0.1.0"
