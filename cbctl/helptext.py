"""Help text for people: defaults shown, paragraphs kept, no reStructuredText markup."""

from __future__ import annotations

import argparse


class Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Descriptions as written (paragraphs and lists survive) and ``(default: ...)`` after each option
    that has a meaningful default."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, False, [], "", argparse.SUPPRESS) or "%(default)" in text:
            return text
        return super()._get_help_string(action)


def plain(text: str) -> str:
    """``text`` without RST double backticks (for descriptions kept next to the code)."""
    return text.replace("``", "")
