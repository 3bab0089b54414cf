"""Loads agent prompts from ``agents/prompts/<name>.md``, prefixed by the shared voice rules."""

from __future__ import annotations

from functools import cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).parent / "prompts"


@cache
def prompt(name: str) -> str:
    """The instructions of agent ``name``: ``_common.md`` followed by ``<name>.md``.

    Raises:
        FileNotFoundError: no prompt file for ``name``.
    """
    common = (PROMPTS_DIR / "_common.md").read_text(encoding="utf-8").strip()
    own = (PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8").strip()
    return f"{common}\n\n{own}"


@cache
def text(name: str) -> str:
    """A verbatim text file from the prompts folder (e.g. the disclosure), stripped."""
    return (PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8").strip()
