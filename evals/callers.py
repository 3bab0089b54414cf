"""Who plays the caller in an eval: the scenario's scripted lines, or a model given only the persona.

The model-played caller follows τ-bench's user simulator: its own prompt holds the persona, the goal
and the facts the caller knows, nothing about the desk's tools or rules; it sees the desk's speech as
the other side of the conversation and answers in one short spoken line. It ends the call by saying
goodbye and then :data:`STOP` (τ-bench's ``###STOP###``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from .scenario import Scenario

STOP = "###STOP###"
"""What a model-played caller writes when the call is over for them."""

CALLER_PROMPT = """You are a customer phoning an online marketplace's customer-service line. Play this person.

Who you are: {persona}
What you want from this call: {goal}
What you know (say only what is asked, one thing at a time): {facts}

Rules:
- Speak as the customer, in one or two short spoken sentences; no lists, no stage directions.
- Answer the agent's questions with the facts above; never invent other account details.
- When your goal is done, or the agent says it cannot be done, say goodbye and then write {stop}.
- If the agent asks whether there is anything else, and your goal is done, say no, goodbye, then {stop}.
"""


class Caller(Protocol):
    """Produces the caller's next line from what the desk just said."""

    label: str

    async def next_line(self, desk_said: list[str]) -> str | None:
        """The caller's next turn, or ``None`` when the caller has finished (hangs up)."""
        ...

    async def aclose(self) -> None: ...


@dataclass
class ScriptedCaller:
    """Says the scenario's ``[[turn]]`` lines in order, whatever the desk says."""

    scenario: Scenario
    label: str = "scripted"
    _next: int = 0

    async def next_line(self, desk_said: list[str]) -> str | None:
        if self._next >= len(self.scenario.turns):
            return None
        line = self.scenario.turns[self._next].caller
        self._next += 1
        return line

    async def aclose(self) -> None:
        return None


@dataclass
class ModelCaller:
    """A caller played by a model behind any OpenAI-compatible chat-completions endpoint.

    Args:
        scenario: Gives the persona, goal and facts (and nothing else) to the model.
        base_url: The endpoint, e.g. ``https://api.openai.com/v1`` or the local server's ``/v1``.
        model: Model name at that endpoint.
        api_key: The endpoint's key (``"local"`` for a local server).
        max_turns: Caller turns after which the call is given up (the desk did not finish).
        timeout_s: Seconds allowed per caller reply.
    """

    scenario: Scenario
    base_url: str
    model: str
    api_key: str
    max_turns: int = 20
    timeout_s: float = 60.0
    label: str = ""
    turns: int = 0
    _messages: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from openai import AsyncOpenAI

        self.label = self.label or f"model:{self.model}"
        self._client = AsyncOpenAI(base_url=self.base_url, api_key=self.api_key, timeout=self.timeout_s, max_retries=1)
        prompt = CALLER_PROMPT.format(
            persona=self.scenario.persona, goal=self.scenario.goal, facts=self.scenario.facts, stop=STOP
        )
        self._messages = [{"role": "system", "content": prompt}]

    async def next_line(self, desk_said: list[str]) -> str | None:
        """Ask the model for the caller's next line.

        Raises:
            openai.OpenAIError: the endpoint failed (the trial records it as an error).
        """
        if self.turns >= self.max_turns:
            return None
        heard = " ".join(desk_said).strip() or "(silence)"
        self._messages.append({"role": "user", "content": heard})
        response = await self._client.chat.completions.create(
            model=self.model,
            messages=cast(Any, self._messages),
            temperature=0.7,
            max_tokens=120,
        )
        text = (response.choices[0].message.content or "").strip()
        self._messages.append({"role": "assistant", "content": text})
        line = text.replace(STOP, "").strip().strip('"')
        if not line:
            return None
        self.turns += 1
        if STOP in text:
            self.turns = self.max_turns  # this goodbye is the last line
        return line

    async def aclose(self) -> None:
        await self._client.close()
