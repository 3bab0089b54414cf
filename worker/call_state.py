"""Resuming dropped calls, worker side: find a dropped call of the caller, and save this call's state.

Two functions for the call's entrypoint (``worker/server.py``):

* :func:`find_resumable_call` before the session starts: the caller's latest call that dropped within
  ``RESUME_WINDOW_MINUTES`` (phone: the caller's number; web: the LiveKit participant identity), put on
  ``CustomerContext.resumable`` so that authentication offers to continue it (:mod:`agents.steps.resume`);
* :func:`attach_call_state` once the session is built: the call's snapshot (:func:`call.snapshot.snapshot`)
  is saved in the database after each transfer, each action and at the end, so that another worker
  process can resume it. At the end the call is closed as ``closed`` when it ended normally (a goodbye,
  or the desk ended it) and as ``dropped`` otherwise (the caller hung up mid-call, the line dropped, the
  job shut down or a provider failed).

Saving never blocks a turn (each save runs in a background task, at most one at a time, the latest
state winning) and never crashes the session: a database error is logged (redacted) and the call goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import re
from typing import Any

from livekit.agents import AgentSession
from livekit.agents.llm import ChatMessage
from livekit.agents.voice.events import CloseEvent, CloseReason

from call.context import Channel, CustomerContext
from call.redaction import redact
from call.snapshot import SavedState, snapshot
from services import Services
from services.calls import SavedCall

from .settings import Settings

logger = logging.getLogger("marketplace.call_state")

RETENTION = dt.timedelta(days=1)
"""Saved calls not updated for this long are deleted (or twice the window, if longer)."""
FLUSH_TIMEOUT_S = 5.0
"""Longest wait for the last saves when the call ends."""
NORMAL_ENDINGS = frozenset({"goodbye", "transfer", "end_call", "completed"})
"""Values of ``CustomerContext.ended_by`` that mean the call ended normally (not resumable): after the
goodbye, or handed to a person (``tools/end_call.py``); ``idle`` and ``error`` are drops."""
_PHONE_KEY = re.compile(r"\+?[0-9]{7,15}")
"""A caller id usable as a key: 7 to 15 digits (E.164 has at most 15), optionally after a plus."""
_GOODBYE = re.compile(
    r"\b(good\s*-?\s*bye|bye(\s*-?\s*bye)?|have a (good|great|nice|lovely|wonderful) (day|one|evening|night|weekend)"
    r"|that'?s all( i need(ed)?)?|take care)\b",
    re.IGNORECASE,
)


def key_for(channel: Channel, raw: str | None) -> str | None:
    """The key a caller is recognised by: the channel and their number or identity (the service stores a digest).

    On the phone only a real number is a key: a withheld or malformed caller id ("anonymous", "") is
    shared by many callers, so it is never one (``None``: nothing is saved or offered).

    Example: ``key_for("phone", "+14155550134")`` is ``"phone:+14155550134"``.
    """
    value = (raw or "").strip()
    if not value or (channel == "phone" and not _PHONE_KEY.fullmatch(value)):
        return None
    return f"{channel}:{value}"


async def find_resumable_call(
    services: Services, *, channel: Channel, caller_key: str | None, settings: Settings
) -> SavedCall | None:
    """The caller's latest dropped call that may be resumed, or ``None``.

    ``None`` when resuming is off (``RESUME_WINDOW_MINUTES=0``), the caller has no key, nothing dropped
    within the window, the saved state is unreadable, or the customer's record is gone or locked. It
    never raises: a database error is logged (redacted) and the call starts as usual. Saved calls
    older than :data:`RETENTION` are deleted on the way.

    Args:
        services: The worker's services.
        channel: ``phone``, ``web``, ...
        caller_key: The caller's number (``sip.phoneNumber``) on the phone, the participant identity on the web.
        settings: ``resume_window_minutes``.

    Returns:
        The dropped call, for ``CustomerContext.resumable``.
    """
    minutes = settings.resume_window_minutes
    key = key_for(channel, caller_key)
    if minutes <= 0 or key is None:
        return None
    window = dt.timedelta(minutes=minutes)
    try:
        await services.calls.purge(max(RETENTION, 2 * window))
        saved = await services.calls.find_resumable(key, window)
        if saved is None:
            return None
        state = SavedState.parse(saved.state)
        identity = await services.calls.resume_identity(state.customer_id)
    except Exception as exc:  # never stop a call from starting
        logger.warning("no resumable call looked up: %s", redact(f"{type(exc).__name__}: {exc}"))
        return None
    if identity is None or identity.locked:
        logger.info("dropped call %s not offered: customer record missing or locked", saved.call_id)
        return None
    logger.info("dropped call %s may be resumed", saved.call_id)
    return saved


class CallStateRecorder:
    """Saves one call's snapshot on session events; see :func:`attach_call_state`.

    Attributes:
        saves: Snapshots written so far.
        failures: Saves that failed (logged, the call went on).
        completed: ``None`` while the call runs; then whether it ended normally.
    """

    def __init__(self, session: AgentSession[CustomerContext], caller_key: str | None) -> None:
        self._session = session
        self._ctx: CustomerContext = session.userdata
        self._key = key_for(self._ctx.channel, caller_key)
        self._queued: dict[str, Any] | None = None
        self._last_text: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._final: asyncio.Task[None] | None = None
        self.saves = 0
        self.failures = 0
        self.completed: bool | None = None
        self._closed = asyncio.Event()
        session.on("conversation_item_added", self._on_change)
        session.on("function_tools_executed", self._on_change)
        session.on("close", self._on_close)

    def _on_change(self, _ev: object) -> None:
        if self.completed is None:
            self.request_save()

    def request_save(self) -> None:
        """Queue a save of the current snapshot if it changed (returns at once; the write runs in the background)."""
        if self._key is None:
            return
        state = self._snapshot()
        if state is None:
            return
        text = json.dumps(state, sort_keys=True)
        if text == self._last_text:
            return
        self._last_text, self._queued = text, state
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._drain())

    def _snapshot(self) -> dict[str, Any] | None:
        try:
            return snapshot(self._ctx)
        except Exception as exc:  # a bug in the snapshot must not break the call
            logger.warning("call state not taken: %s", redact(f"{type(exc).__name__}: {exc}"))
            return None

    async def _drain(self) -> None:
        while self._queued is not None:
            state, self._queued = self._queued, None
            await self._save(state)

    async def _save(self, state: dict[str, Any]) -> None:
        if self._key is None:
            return
        try:
            await self._ctx.services.calls.save(self._key, self._ctx.call_id, state)
        except Exception as exc:
            self.failures += 1
            logger.warning("call state not saved: %s", redact(f"{type(exc).__name__}: {exc}"))
        else:
            self.saves += 1

    def _on_close(self, ev: CloseEvent) -> None:
        if self.completed is not None:
            return
        self.completed = ended_normally(self._ctx, self._session, ev.reason)
        self._closed.set()
        if self._key is None:
            return
        state = self._snapshot()
        self._final = asyncio.ensure_future(self._finish(state, self.completed))

    async def _finish(self, state: dict[str, Any] | None, completed: bool) -> None:
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
        if state is not None:
            await self._save(state)
        try:
            await self._ctx.services.calls.mark_closed(self._ctx.call_id, completed=completed)
        except Exception as exc:
            self.failures += 1
            logger.warning("call state not closed: %s", redact(f"{type(exc).__name__}: {exc}"))
        else:
            logger.info("call state of %s closed (%s)", self._ctx.call_id, "completed" if completed else "dropped")

    async def aclose(self, timeout_s: float = FLUSH_TIMEOUT_S) -> None:
        """Wait for the session's close and the last saves (at most ``timeout_s`` in all), then detach.

        Call it before the services close: LiveKit runs the job's shutdown callbacks concurrently, the
        session's own close among them, so this waits for that close (and its final save) first.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        if self.completed is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), timeout=timeout_s)
        pending = [t for t in (self._task, self._final) if t is not None and not t.done()]
        if pending:
            _done, late = await asyncio.wait(pending, timeout=max(deadline - loop.time(), 0.1))
            for task in late:
                task.cancel()
            if late:
                logger.warning("call state: %d save(s) still running at shutdown were cancelled", len(late))
        self._session.off("conversation_item_added", self._on_change)
        self._session.off("function_tools_executed", self._on_change)
        self._session.off("close", self._on_close)


def attach_call_state(session: AgentSession[CustomerContext], caller_key: str | None) -> CallStateRecorder:
    """Save the call's state after each transfer, action and turn, and close it when the session closes.

    Args:
        session: The call's session (built, started or not); its userdata is the call's context.
        caller_key: As for :func:`find_resumable_call` (the caller's number, or the participant identity);
            with no usable key (:func:`key_for`) nothing is saved.

    Returns:
        The recorder; await :meth:`CallStateRecorder.aclose` before the services close.
    """
    return CallStateRecorder(session, caller_key)


def ended_normally(ctx: CustomerContext, session: AgentSession[Any], reason: CloseReason) -> bool:
    """Whether the call ended normally (not resumable) rather than dropped (resumable).

    Rules, in order: the code that ended the call said how (``ctx.ended_by``: ``goodbye`` and
    ``transfer`` — handed to a person — are normal; ``idle``, ``error`` and others are not); the desk
    ended the session itself (``USER_INITIATED``, e.g. LiveKit's ``EndCallTool`` after the goodbye, or
    ``TASK_COMPLETED``); the last words of the caller or of the agent were a goodbye ("bye", "that's
    all", "have a good day"). Anything else — the caller's line dropped (``PARTICIPANT_DISCONNECTED``),
    the job shut down, a provider error — is a drop.
    """
    if ctx.ended_by:
        return ctx.ended_by in NORMAL_ENDINGS
    if reason in (CloseReason.USER_INITIATED, CloseReason.TASK_COMPLETED):
        return True
    return _said_goodbye(session)


def _said_goodbye(session: AgentSession[Any]) -> bool:
    last: dict[str, str] = {}
    for item in reversed(session.history.items):
        if isinstance(item, ChatMessage) and item.role in ("user", "assistant") and item.role not in last:
            last[item.role] = item.text_content or ""
        if len(last) == 2:
            break
    return any(_GOODBYE.search(text) for text in last.values())
