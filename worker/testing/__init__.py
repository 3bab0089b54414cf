"""Test doubles and the offline test seam (see :mod:`worker.testing.seam`)."""

from .scripted_llm import BreakableLLM, Reply, ScriptedLLM, last_tool_output
from .seam import FIXED_NOW, TEST_SALT, OfflineCall, mark_verified, offline_call

__all__ = [
    "FIXED_NOW",
    "TEST_SALT",
    "BreakableLLM",
    "OfflineCall",
    "Reply",
    "ScriptedLLM",
    "last_tool_output",
    "mark_verified",
    "offline_call",
]
