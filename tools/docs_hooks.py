"""mkdocs hooks: fill the documentation pages' markers at build time, so the site cannot drift from the code.

- ``<!-- properties: module:Class -->``: the resource type's property tables (``tools.properties_tables``).
- ``<!-- readme: Heading -->``: the README section under that heading (``##`` or ``###``), to its end.
- ``<!-- file: PATH -->``: a repository file's Markdown (the changelog).
- ``<!-- security-pages -->``: links to every ``docs/security*.md`` page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tools.properties_tables import resource_tables

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"<!--\s*(properties|readme|file|security-pages)\s*:?\s*(.*?)\s*-->")


class MarkerError(ValueError):
    """A marker names something that does not exist (the build must fail, not show a hole)."""


def readme_section(heading: str, readme: str | None = None) -> str:
    """The README's section titled ``heading`` without its heading line, up to the next heading of the same
    or a higher level; links into ``docs/`` are made relative to the site's root pages."""
    text = readme if readme is not None else (ROOT / "README.md").read_text()
    match = re.search(rf"^(#{{2,3}}) {re.escape(heading)}\s*$", text, flags=re.MULTILINE)
    if match is None:
        raise MarkerError(f"README.md has no section {heading!r}")
    level = len(match.group(1))
    rest = text[match.end() :]
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.MULTILINE)
    body = rest[: end.start()] if end else rest
    return body.strip().replace("](docs/", "](")


def security_pages(docs_dir: Path) -> str:
    pages = sorted(p for p in docs_dir.glob("security*.md") if p.name != "security.md")
    if not pages:
        return ""
    lines = ["More on security:", ""]
    for page in pages:
        first = page.read_text().lstrip().splitlines()[0] if page.read_text().strip() else page.stem
        lines.append(f"- [{first.lstrip('# ').strip()}]({page.name})")
    return "\n".join(lines)


def fill(markdown: str, docs_dir: Path) -> str:
    def replace(match: re.Match[str]) -> str:
        kind, argument = match.group(1), match.group(2)
        if kind == "properties":
            return resource_tables(argument)
        if kind == "readme":
            return readme_section(argument)
        if kind == "file":
            path = ROOT / argument
            if not path.is_file():
                raise MarkerError(f"no file {argument}")
            return path.read_text()
        return security_pages(docs_dir)

    return MARKER.sub(replace, markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return fill(markdown, Path(config["docs_dir"]))
