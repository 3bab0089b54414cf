"""The interface of the supervisor: a stronger reasoning model consulted for complex questions.

The chat-supervisor pattern of the system we migrate from: the desk's fast model talks with the
caller, and for a complex multi-order or policy question a tool consults a stronger model. The
implementation (an OpenAI-compatible client) is built by the worker from settings; this leaf
module only fixes the interface, so tools and tests depend on nothing else.
"""

from __future__ import annotations

from typing import Protocol


class Supervisor(Protocol):
    """A stronger model answering one question from facts the desk supplies.

    Implementations must bound their own latency (a timeout) and raise ``TimeoutError`` or
    ``ConnectionError`` when the model does not answer.
    """

    model: str
    """The model's name, for logs and the call report."""

    async def answer(self, question: str, facts: str) -> str:
        """The supervisor's answer to ``question``, using only ``facts`` (plain text from services).

        Args:
            question: The caller's question, redacted, at most a few hundred characters.
            facts: The records the answer may use (orders, policies), as plain text.

        Returns:
            A short answer meant to be spoken (checked against the services before it is).
        """
        ...
