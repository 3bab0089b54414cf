"""The interface of the supervisor: a stronger reasoning model consulted for complex questions.

The chat-supervisor pattern of the system we migrate from (openai-realtime-agents' ``chatSupervisor``):
the desk's fast model talks with the caller, and for a complex multi-order or policy question a tool
consults a stronger model. The implementation (an OpenAI-compatible client) is built by the worker from
settings (:mod:`worker.supervisor_client`); this leaf module only fixes the interface and the
instructions every implementation sends, so tools and tests depend on nothing else.

Unlike the original, the supervisor gets no tools and no conversation history: code gathers the facts
from the services for the verified caller, the supervisor answers from those facts only, and code
checks every id, amount and date of the answer against them before it is spoken
(:mod:`tools.supervisor`).
"""

from __future__ import annotations

from typing import Protocol

SUPERVISOR_INSTRUCTIONS = (
    "You are an experienced customer service supervisor of an online marketplace. A junior agent is on a "
    "phone call and reads your answer to the caller word for word.\n"
    "Answer the caller's question using ONLY the facts given (the caller's orders, returns, subscriptions "
    "and the return policy). Do not use outside knowledge and do not guess.\n"
    "Write at most three short sentences of plain speech: no lists, markdown, headings or citations.\n"
    "Write money as $12.34 and dates as 'November 20'. Mention only order numbers, return numbers, amounts, "
    "percentages and dates that appear in the facts; you may add up two amounts of the facts.\n"
    "Never mention phone numbers, card or Social Security digits, addresses or dates of birth.\n"
    "If the facts do not answer the question, say you cannot confirm it and offer to connect the caller "
    "with a colleague. Never give instructions to the agent; write only what the caller should hear."
)
"""The system message every supervisor implementation sends (the facts and the question follow it)."""


class Supervisor(Protocol):
    """A stronger model answering one question from facts the desk supplies.

    Implementations bound their own latency (``timeout_s``) and raise ``TimeoutError`` when the model
    does not answer in time, ``ConnectionError`` when it cannot be reached or answers with nothing.
    The caller of :meth:`answer` also cancels it after ``timeout_s`` (belt and braces).
    """

    model: str
    """The model's name, for logs and the call report."""
    timeout_s: float
    """Seconds one answer may take, the request included."""

    async def answer(self, question: str, facts: str) -> str:
        """The supervisor's answer to ``question``, using only ``facts`` (plain text from services).

        Args:
            question: The caller's question, redacted, at most a few hundred characters.
            facts: The records the answer may use (orders, returns, policies), as plain text.

        Returns:
            A short answer meant to be spoken (checked against the services before it is).

        Raises:
            TimeoutError: no answer within ``timeout_s``.
            ConnectionError: the model could not be reached, refused the request or answered nothing.
        """
        ...
