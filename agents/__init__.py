"""The fourteen agents of the desk, their shared context and the handoff coordinator.

``AGENTS`` maps each registry key to its ``Agent`` subclass.
"""

from call.context import CustomerContext

from .registry import AGENTS, ENTRY_AGENT

__all__ = ["AGENTS", "ENTRY_AGENT", "CustomerContext"]
