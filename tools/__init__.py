"""Build-time tools of the repository (the documentation site's generators); not part of the package."""
