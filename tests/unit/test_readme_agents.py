"""The README's table of agents and tools is the one the code generates (no drift)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.registry import AGENTS
from agents.tool_table import END, START, agent_rows, markdown_table, replace_in

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_matches_the_code() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(START) + len(START) : text.index(END)].strip()
    assert section == markdown_table(), "README drifted: run python -m agents.tool_table --write README.md"


def test_the_table_lists_every_agent_and_every_domain_tool() -> None:
    rows = agent_rows()
    assert [r.key for r in rows] == list(AGENTS)
    table = markdown_table()
    for row in rows:
        assert f"**{row.key}**" in table
        for name, summary in row.tools:
            assert f"`{name}`" in table and summary, (row.key, name)


def test_replace_in_needs_both_markers() -> None:
    assert replace_in(f"a {START} old {END} b", "T") == f"a {START}\nT\n{END} b"
    with pytest.raises(ValueError):
        replace_in("no markers", "T")


SPECIALISTS = [key for key in AGENTS if key not in ("authentication", "human")]


@pytest.mark.parametrize("key", SPECIALISTS)
def test_every_specialist_has_five_to_ten_domain_tools(key: str) -> None:
    """The migration plan's success criterion: 5–10 tools per specialist (besides the transfer tool)."""
    (row,) = [r for r in agent_rows() if r.key == key]
    assert 5 <= len(row.tools) <= 10, [name for name, _ in row.tools]
