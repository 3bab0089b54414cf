"""Keypad entry on phone calls: the caller's DTMF keys, collected for one call and handed to code.

A SIP caller's key presses arrive as the room event ``sip_dtmf_received``
(``rtc.SipDTMF(code, digit, participant)``). :class:`KeypadListener` collects them into entries and
hands each whole entry to the session's current agent
(:meth:`agents.base.MarketplaceAgent.take_keypad_entry`), which resolves it exactly like a spoken
answer — 1/2 for any read-back, the date of birth and the last four at verification, the four
digits of a step-up — but with no LLM request and without the keys in the chat context, the
history, the transcript or a log (:mod:`call.keypad` turns them into the words the speech path
reads; the conversation records ``"[keypad entry]"``).

Collecting (the rules of LiveKit's ``GetDtmfTask``, 1.8.9, ``beta/workflows/dtmf_inputs.py``):

* digits accumulate; ``#`` submits the entry at once; otherwise it is submitted
  :data:`KEY_TIMEOUT_S` seconds after the last key (GetDtmfTask's per-digit ``dtmf_input_timeout``);
* while the caller is speaking, or the agent is thinking or speaking, the pending submit is
  cancelled and scheduled again when they stop (as GetDtmfTask does); ``#`` still submits at once;
* a spoken caller turn discards keys pressed before it (the words answered the question; the
  keys would otherwise answer the next one);
* ``*`` clears the keys pressed so far (start over); ``A``–``D`` mean nothing and are ignored;
  more than :data:`call.keypad.MAX_KEYS` digits make the entry too long (kept keys are bounded).

**Why GetDtmfTask itself is not used** (its building blocks are: ``DtmfEvent``, the ``#`` stop
event, ``debounced`` for the per-digit timeout, and its speaking/cancel rules):

1. It is an LLM-driven ``AgentTask``. Its ``on_enter`` calls ``session.generate_reply()`` (an LLM
   request) and its spoken path completes when the *model* calls ``record_inputs``/``confirm_inputs``
   with the digits, i.e. the model decides the value. Our rule: identity values come only from
   what code heard, and the model never sees them. A subclass would have to replace its
   ``on_enter``, its instructions, both tools and its spoken path: nothing of the task would remain.
2. An ``AgentTask`` can only be awaited inside a function tool or ``on_enter``/``on_exit``
   (``AgentTask.__await_impl`` raises otherwise). Our steps run in code from
   ``on_user_turn_completed``, with no tool call; starting the task would need an LLM tool call or an
   agent switch (an activity drain and a new chat context) for every answer.
3. It collects one fixed number of digits for one question, while the desk needs the keypad for
   the whole call: any read-back or pending write may be answered with 1 or 2 at any moment, across
   agents and handoffs.
4. It attaches through ``get_job_context().room``, which exists only inside a worker job; the keypad
   here also runs in the offline test seam on a room of the same interface.
5. It logs the collected digits (``extra={"lk.pii.dtmf_inputs": ...}``) at INFO and DEBUG; our rule
   is that keyed digits reach no log at all, redacted or not.

Wiring: ``detach = attach_keypad(ctx.room, session, caller_identity=...)`` for a phone call (from
``worker/server.py``, after ``session.start``); it detaches itself when the session closes, and
``detach()`` may be called earlier (e.g. in a shutdown callback).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from livekit import rtc
from livekit.agents import AgentSession
from livekit.agents.beta.workflows.utils import DtmfEvent
from livekit.agents.llm import ChatMessage
from livekit.agents.utils.aio.debounce import Debounced, debounced
from livekit.agents.voice.events import AgentStateChangedEvent, ConversationItemAddedEvent, UserStateChangedEvent

from call.keypad import KEYPAD_MESSAGE, MAX_KEYS, KeypadEntry

from .base import MarketplaceAgent

logger = logging.getLogger("marketplace.keypad")

KEY_TIMEOUT_S = 4.0
"""Seconds after the last key before an entry without ``#`` is submitted (GetDtmfTask's default
``dtmf_input_timeout``, livekit-agents 1.8.9)."""
SUBMIT_KEY = DtmfEvent.POUND
"""Ends an entry at once (GetDtmfTask's default ``dtmf_stop_event``)."""
CLEAR_KEY = DtmfEvent.STAR
"""Clears the keys pressed so far."""
DTMF_EVENT = "sip_dtmf_received"
"""The ``rtc.Room`` event of a SIP participant's key press."""

EntryHandler = Callable[[KeypadEntry], None]


class KeypadCollector:
    """Collects key presses into keypad entries (no I/O: :class:`KeypadListener` feeds it).

    Args:
        on_entry: Called (synchronously, from the event loop) with each finished entry.
        timeout_s: Seconds after the last key before an entry without ``#`` is submitted.
        max_keys: Digit keys kept per entry; more make it ``too_long``.
    """

    def __init__(self, on_entry: EntryHandler, *, timeout_s: float = KEY_TIMEOUT_S, max_keys: int = MAX_KEYS) -> None:
        if timeout_s <= 0 or not 0 < max_keys <= MAX_KEYS:
            raise ValueError("timeout_s must be positive and max_keys within 1..MAX_KEYS")
        self._on_entry = on_entry
        self._max_keys = max_keys
        self._keys: list[DtmfEvent] = []
        self._first_at: float | None = None
        self._too_long = False
        self._holds: set[str] = set()
        self._submit: Debounced[None] = debounced(timeout_s)(self._flush)

    @property
    def held_keys(self) -> int:
        """Digit keys of the entry in progress (a count: the keys themselves are never exposed)."""
        return len(self._keys)

    @property
    def submit_pending(self) -> bool:
        """Whether a timed submit is scheduled."""
        return self._submit.is_running()

    def press(self, key: str) -> None:
        """One key press: a digit, ``#`` (submit now), ``*`` (clear) or ``A``–``D`` (ignored).

        Args:
            key: ``rtc.SipDTMF.digit``; anything that is not a DTMF key is ignored.
        """
        try:
            event = DtmfEvent(key)
        except ValueError:
            return
        if event is SUBMIT_KEY:
            if self._keys or self._too_long:
                self._submit.run()
            return
        if event is CLEAR_KEY:
            self.clear()
            return
        if not event.value.isdigit():
            return
        if self._first_at is None:
            self._first_at = time.monotonic()
        if len(self._keys) < self._max_keys:
            self._keys.append(event)
        else:
            self._too_long = True
        if not self._holds:
            self._submit.schedule()

    def hold(self, reason: str) -> None:
        """Someone is speaking (``reason``: ``"caller"`` or ``"agent"``): cancel the pending submit, keep the keys."""
        self._holds.add(reason)
        self._submit.cancel()

    def release(self, reason: str) -> None:
        """``reason`` stopped speaking: schedule the submit again if keys are waiting and no one else speaks."""
        self._holds.discard(reason)
        if not self._holds and (self._keys or self._too_long):
            self._submit.schedule()

    def clear(self) -> None:
        """Forget the keys of the entry in progress."""
        self._submit.cancel()
        self._reset()

    def _reset(self) -> None:
        self._keys, self._first_at, self._too_long = [], None, False

    async def _flush(self) -> None:
        if not self._keys and not self._too_long:
            return
        entry = KeypadEntry(
            "".join(k.value for k in self._keys),
            keyed_at=self._first_at if self._first_at is not None else time.monotonic(),
            too_long=self._too_long,
        )
        self._reset()
        self._on_entry(entry)


class KeypadListener:
    """The keypad of one phone call: room key presses → entries → the session's current agent.

    Args:
        room: The call's ``rtc.Room`` (any ``rtc.EventEmitter`` that emits ``sip_dtmf_received`` with an
            ``rtc.SipDTMF``).
        session: The call's session (its current agent gets each entry; its states hold the submit).
        caller_identity: The SIP caller's participant identity; key presses of other participants are
            ignored (``None``: every participant's).
        timeout_s: Seconds after the last key before an entry without ``#`` is submitted.
    """

    def __init__(
        self,
        room: rtc.EventEmitter[Any],
        session: AgentSession[Any],
        *,
        caller_identity: str | None = None,
        timeout_s: float = KEY_TIMEOUT_S,
    ) -> None:
        self._room = room
        self._session = session
        self._caller_identity = caller_identity
        self.collector = KeypadCollector(self._queue_entry, timeout_s=timeout_s)
        self._queue: asyncio.Queue[KeypadEntry] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._attached = False

    def attach(self) -> None:
        """Start listening to the room and the session."""
        if self._attached:
            return
        self._room.on(DTMF_EVENT, self._on_dtmf)
        self._session.on("user_state_changed", self._on_user_state)
        self._session.on("agent_state_changed", self._on_agent_state)
        self._session.on("conversation_item_added", self._on_item_added)
        self._session.on("close", self._on_close)
        self._attached = True

    def detach(self) -> None:
        """Stop listening; keys not yet submitted are dropped, an entry being handled is cancelled."""
        if not self._attached:
            return
        self._attached = False
        self._room.off(DTMF_EVENT, self._on_dtmf)
        self._session.off("user_state_changed", self._on_user_state)
        self._session.off("agent_state_changed", self._on_agent_state)
        self._session.off("conversation_item_added", self._on_item_added)
        self._session.off("close", self._on_close)
        self.collector.clear()
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None

    async def idle(self) -> None:
        """Wait until every submitted entry has been handled and its speech played (for tests and shutdown)."""
        while (worker := self._worker) is not None and not worker.done():
            await asyncio.wait([worker])

    # ------------------------------------------------------------------ events

    def _on_dtmf(self, ev: rtc.SipDTMF) -> None:
        participant = ev.participant
        if self._caller_identity and participant is not None and participant.identity != self._caller_identity:
            return  # e.g. a transfer target's leg: only the caller's keys count
        self.collector.press(ev.digit)

    def _on_user_state(self, ev: UserStateChangedEvent) -> None:
        if ev.new_state == "speaking":
            self.collector.hold("caller")
        else:
            self.collector.release("caller")

    def _on_agent_state(self, ev: AgentStateChangedEvent) -> None:
        if ev.new_state in ("speaking", "thinking"):
            self.collector.hold("agent")
        else:
            self.collector.release("agent")

    def _on_close(self, _: object) -> None:
        self.detach()  # the session is over: nothing more to hand keys to

    def _on_item_added(self, ev: ConversationItemAddedEvent) -> None:
        item = ev.item
        if isinstance(item, ChatMessage) and item.role == "user" and item.text_content != KEYPAD_MESSAGE:
            self.collector.clear()  # a spoken turn answered: keys pressed before it are stale

    # ------------------------------------------------------------------ delivery

    def _queue_entry(self, entry: KeypadEntry) -> None:
        if not self._attached:
            return
        self._queue.put_nowait(entry)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._deliver_all())

    async def _deliver_all(self) -> None:
        while not self._queue.empty():
            entry = self._queue.get_nowait()
            try:
                await self._deliver(entry)
            except Exception:
                logger.exception("a keypad entry could not be handled")

    async def _deliver(self, entry: KeypadEntry) -> None:
        try:
            agent = self._session.current_agent
        except RuntimeError:
            logger.info("keypad entry ignored: the session is not running")
            return
        if not isinstance(agent, MarketplaceAgent):
            logger.info("keypad entry ignored: the current agent is not a desk agent")
            return
        speech = self._session.current_speech
        speaking = self._session.agent_state == "speaking"
        if speaking and speech is not None and speech.allow_interruptions and not speech.done():
            # The caller answered over the question (e.g. "1#" at "press 1"): like a barge-in. A reply still
            # being prepared ("thinking") is left alone: it answers what the caller asked before the keys.
            with contextlib.suppress(RuntimeError):
                speech.interrupt()
        logger.info("keypad entry (%d key(s)) handed to %s", len(entry.keys), agent.name)
        handles = await agent.take_keypad_entry(entry)
        for handle in handles:
            await handle.wait_for_playout()


def attach_keypad(
    room: rtc.EventEmitter[Any],
    session: AgentSession[Any],
    *,
    caller_identity: str | None = None,
    timeout_s: float = KEY_TIMEOUT_S,
) -> Callable[[], None]:
    """Start the keypad of a phone call.

    Args:
        room: The call's ``rtc.Room`` (``ctx.room``).
        session: The call's started session.
        caller_identity: The SIP caller's participant identity (only their keys count), or ``None``.
        timeout_s: Seconds after the last key before an entry without ``#`` is submitted.

    Returns:
        A function that detaches the keypad. It also detaches itself when the session closes; calling the
        function again (or after that) is harmless.
    """
    listener = KeypadListener(room, session, caller_identity=caller_identity, timeout_s=timeout_s)
    listener.attach()
    return listener.detach
