"""A caller who goes silent: "Are you still there?", then a polite goodbye and the hang-up.

LiveKit's ``user_away_timeout`` (``USER_AWAY_TIMEOUT_S``, default 15 s) only flips the session's user
state to ``"away"`` once caller and agent have both been silent that long; nothing is said or ended.
:func:`attach_idle_handling` adds the desk's behaviour on top of it:

1. user state → ``away``: code asks "Are you still there?" and repeats the question that is waiting
   (the pending read-back, or the agent's last question), so a "yes" answers that question and not
   only ours — a yes to "Are you still there?" alone must never confirm a write;
2. still away ``USER_AWAY_GRACE_S`` seconds after that has played: a goodbye, and the call ends
   (:func:`tools.end_call.end_call`: the session closes, the line hangs up);
3. any caller speech or typed turn resets it (and LiveKit's timer).

Nothing happens while a transfer to a person is under way (the caller is on hold) or once the call is
ending. Text-only sessions (tests, ``simulate --text``) get no away timeout by default
(:func:`worker.session.build_session`), so the handler stays silent there.
"""

from __future__ import annotations

import asyncio
import logging
import re

from livekit.agents import AgentSession
from livekit.agents.llm import ChatMessage
from livekit.agents.voice.events import CloseEvent, ConversationItemAddedEvent, UserStateChangedEvent

from call.context import CustomerContext
from tools.end_call import end_call, is_ending

logger = logging.getLogger("marketplace.worker.idle")

DEFAULT_AWAY_TIMEOUT_S = 15.0
"""Seconds of silence before the caller counts as away, when no settings are given (LiveKit's default too)."""
DEFAULT_GRACE_S = 15.0
"""Seconds of further silence after "Are you still there?", when no settings are given."""
STILL_THERE = "Are you still there?"
IDLE_GOODBYE = "I haven't heard from you, so I'll end the call now. You're welcome to call us back any time. Goodbye!"
MAX_REPEATED_WORDS = 60
"""The agent's last question is repeated whole up to this many words, else only its last question sentence."""

_SENTENCES = re.compile(r"(?<=[.!?])\s+")


class IdleHandler:
    """The idle-caller behaviour of one session (see the module docstring).

    Args:
        session: The call's session.
        grace_s: Seconds of further silence after "Are you still there?" before the goodbye.
    """

    def __init__(self, session: AgentSession[CustomerContext], *, grace_s: float) -> None:
        self._session = session
        self._grace_s = grace_s
        self._task: asyncio.Task[None] | None = None
        self.check_ins = 0
        """Times the caller was asked whether they are still there (for tests and logs)."""
        session.on("user_state_changed", self._on_user_state)
        session.on("conversation_item_added", self._on_item)
        session.on("close", self._on_close)

    def _on_user_state(self, ev: UserStateChangedEvent) -> None:
        if ev.new_state == "away":
            self._caller_away()
        elif ev.old_state == "away":
            self._caller_back()

    def _on_item(self, ev: ConversationItemAddedEvent) -> None:
        if isinstance(ev.item, ChatMessage) and ev.item.role == "user":
            self._caller_back()
            if self._session.user_state == "away":
                self._session.reset_away_timer()  # typed text does not change the user state itself

    def _on_close(self, _: CloseEvent) -> None:
        self._cancel()

    def _caller_away(self) -> None:
        ctx = self._session.userdata
        if self._task is not None or ctx.handover_in_progress or is_ending(self._session):
            return
        self._task = asyncio.ensure_future(self._check_in())

    def _caller_back(self) -> None:
        if self._task is not None:
            logger.info("the caller is back")
        self._cancel()

    def _cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    async def _check_in(self) -> None:
        session = self._session
        self.check_ins += 1
        logger.info("the caller is silent: asking whether they are still there")
        question = " ".join(part for part in (STILL_THERE, self._waiting_question()) if part)
        await session.say(question).wait_for_playout()
        await asyncio.sleep(self._grace_s)
        if session.user_state != "away" or session.userdata.handover_in_progress or is_ending(session):
            return
        logger.info("the caller stayed silent: ending the call")
        goodbye = session.say(IDLE_GOODBYE)
        await goodbye.wait_for_playout()
        if goodbye.interrupted:
            return
        await end_call(session, ended_by="idle")

    def _waiting_question(self) -> str:
        """The question the caller has not answered yet: the pending read-back, else the agent's last question."""
        ctx = self._session.userdata
        if ctx.pending is not None:
            return ctx.pending.read_back
        for item in reversed(self._session.history.items):
            if isinstance(item, ChatMessage) and item.role == "user":
                return ""
            if isinstance(item, ChatMessage) and item.role == "assistant":
                text = (item.text_content or "").strip()
                if "?" not in text:
                    return ""
                if text.endswith("?") and len(text.split()) <= MAX_REPEATED_WORDS:
                    return text
                questions = [s for s in _SENTENCES.split(text) if s.endswith("?")]
                return questions[-1] if questions else ""
        return ""


def attach_idle_handling(session: AgentSession[CustomerContext], *, grace_s: float) -> IdleHandler:
    """Ask a silent caller whether they are still there, then end the call politely (module docstring).

    Acts on LiveKit's ``user_state_changed`` → ``away``, so it does nothing in a session built with
    ``user_away_timeout=None``.

    Args:
        session: The call's session (not started yet, or running).
        grace_s: Seconds of further silence after the question before the goodbye (``USER_AWAY_GRACE_S``).

    Returns:
        The handler (tests read :attr:`IdleHandler.check_ins`).
    """
    return IdleHandler(session, grace_s=grace_s)
