"""Every write tool of every agent joins the hostile write suites (tests/hostile/writes.py)."""

from __future__ import annotations

import inspect
import re

from agents.base import tool_name
from agents.registry import AGENTS

from .writes import WRITES

PROPOSED_BY_ANOTHER_TOOL = {"check_return_eligibility"}
"""Read tools that may propose a write on the caller's behalf (listed in WRITES under the write's own name)."""


PROPOSES = re.compile(r"\bpropose_write\(|\b_propose\w*\(")
"""A tool proposes a write when it calls ``propose_write`` or a module helper named ``_propose...``."""


def _write_tools() -> dict[str, str]:
    found: dict[str, str] = {}
    for key, cls in AGENTS.items():
        for tool in cls().tools:
            func = getattr(tool, "_func", None)
            if func is None:
                continue
            if PROPOSES.search(inspect.getsource(func)) and tool_name(tool) not in PROPOSED_BY_ANOTHER_TOOL:
                found.setdefault(tool_name(tool), key)
    return found


def test_every_write_tool_is_in_the_hostile_suites() -> None:
    writes = _write_tools()
    assert len(writes) >= 7
    missing = sorted(set(writes) - set(WRITES))
    assert not missing, f"write tools missing from tests/hostile/writes*.py: {missing}"


def test_every_listed_write_is_a_tool_of_its_agent() -> None:
    for name, w in WRITES.items():
        assert name in {tool_name(t) for t in AGENTS[w.agent]().tools}, (name, w.agent)
