"""The Capella Management API v4 part of the Capella simulator (served beside v3 under ``/v4/``).

Choices where the specification is silent (each module says more): the error ``code`` is
``status * 10``; ETags are ``Version: N`` (N is the object's ``audit.version``, bumped by every change);
strict mode (the default) refuses unknown body keys with 400; a per-token request limit answers 429 with
``Retry-After`` (off unless configured); lists page with ``page``/``perPage`` and a ``cursor`` whose
``pages.next`` is absent on the last page, except buckets (one ``data`` array).
"""

from simulators.capella.v4.api import V4Api

__all__ = ["V4Api"]
