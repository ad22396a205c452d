"""On-failure destination of the provider functions: FAILED for a request whose invocation died."""

from cbprovider.runtime.crash import handler as lambda_handler

__all__ = ["lambda_handler"]
