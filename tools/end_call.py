"""Ending a call: LiveKit's ``EndCallTool`` for the model, and the one routine every other ending uses.

Four things end a call: the caller's goodbye (decided by code, :mod:`call.goodbye`), the model's
``end_call`` tool (LiveKit's :class:`~livekit.agents.beta.tools.EndCallTool`), a caller who stays silent
(:mod:`worker.idle`) and an unrecoverable provider error (:mod:`worker.provider_errors`). In each case the
goodbye plays out first; then the session closes and the call's line hangs up
(:meth:`call.phone_line.PhoneLine.hang_up`: on LiveKit the room is deleted, which disconnects a SIP caller
and ends the job). Offline (tests, ``simulate``) there is no line and only the session closes.

LiveKit's ``EndCallTool`` closes the session after the reply that called it has played, then asks the job
context to delete the room and shut down; :class:`DeskEndCallTool` keeps the first part and hangs up through
the call's line instead, because ``get_job_context()`` raises outside a LiveKit job (tests, ``simulate``).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from livekit.agents import AgentSession, RunContext, ToolError
from livekit.agents.beta.tools import EndCallTool
from livekit.agents.voice.events import CloseEvent

from call.context import CustomerContext
from call.goodbye import sounds_like_closing

logger = logging.getLogger("marketplace.tools.end_call")

END_CALL = "end_call"
"""The tool's name (LiveKit's)."""

EXTRA_DESCRIPTION = (
    "Only after the caller said they are done, never while a change awaits their yes or no. Then say one short goodbye."
)

_ENDING: set[asyncio.Task[None]] = set()
"""Tasks ending a call (kept referenced until done)."""
_ENDED: weakref.WeakSet[AgentSession[Any]] = weakref.WeakSet()
"""Sessions :func:`end_call` has ended (or is ending)."""


def end_call_problem(ctx: CustomerContext) -> str | None:
    """Why the model may not end the call now (a sentence it can act on), or ``None``.

    Refused while a write awaits the caller's answer, while the caller is being handed to a person,
    and when the caller's latest words do not sound like a closing (:func:`call.goodbye.sounds_like_closing`).
    """
    if ctx.pending is not None:
        return f"{ctx.pending.name} is waiting for the caller's yes or no. Do not end the call now."
    if ctx.handover_in_progress:
        return "The caller is being transferred to a person. Do not end the call."
    last = ctx.recent_user_texts[-1] if ctx.recent_user_texts else ""
    if not sounds_like_closing(last):
        return "The caller has not said they are done. Do not end the call; ask whether there is anything else."
    return None


class DeskEndCallTool(EndCallTool):
    """LiveKit's ``end_call`` tool for every agent of the desk.

    The model may call it once the caller is done (checked by :func:`end_call_problem`); the session
    closes after the goodbye reply has played, then the call's line hangs up. Hidden while an agent
    greets (``ignore_on_enter``).
    """

    def __init__(self) -> None:
        super().__init__(extra_description=EXTRA_DESCRIPTION, delete_room=False, ignore_on_enter=True)
        self._userdata: CustomerContext | None = None

    async def _end_call(self, ctx: RunContext) -> Any | None:
        """The tool: refuse (``ToolError``) or let LiveKit close the session after the goodbye."""
        data: CustomerContext = ctx.userdata
        if (problem := end_call_problem(data)) is not None:
            raise ToolError(problem)
        self._userdata = data
        _ENDED.add(ctx.session)
        if data.ended_by is None:
            data.ended_by = "goodbye"
        logger.info("the model ends the call")
        return await super()._end_call(ctx)

    def _on_session_close(self, ev: CloseEvent) -> None:
        """After the session closed: hang up the call's line (LiveKit's own handler needs a job context)."""
        if self._shutdown_session_task is not None:
            self._shutdown_session_task.cancel()
            self._shutdown_session_task = None
        data = self._userdata
        if data is not None and data.phone_line is not None:
            _keep(asyncio.ensure_future(_hang_up(data)))


async def end_call(session: AgentSession[CustomerContext], *, ended_by: str) -> None:
    """Close ``session`` and hang up the call's line. Call it after the goodbye has played.

    Only the first ending of a call counts; later calls do nothing. Must not be awaited from a task of
    the session's own agent (``on_enter``, a tool): closing the session waits for those; use
    :func:`end_call_soon` there.

    Args:
        session: The call's session.
        ended_by: How the call ended, for the call report (``goodbye``, ``idle``, ``error``, ``transfer``).
    """
    ctx = session.userdata
    if session in _ENDED:
        return
    _ENDED.add(session)
    if ctx.ended_by is None:
        ctx.ended_by = ended_by
    logger.info("ending the call (%s)", ended_by)
    try:
        await session.aclose()
    finally:
        if ctx.phone_line is not None:
            await _hang_up(ctx)


def is_ending(session: AgentSession[Any]) -> bool:
    """Whether the desk is ending (or has ended) ``session``'s call: by :func:`end_call` or the model's ``end_call``."""
    return session in _ENDED


def end_call_soon(session: AgentSession[CustomerContext], *, ended_by: str) -> asyncio.Task[None]:
    """:func:`end_call` in a task of its own (safe from ``on_enter`` and tools); returns the task."""
    return _keep(asyncio.ensure_future(end_call(session, ended_by=ended_by)))


async def _hang_up(ctx: CustomerContext) -> None:
    line = ctx.phone_line
    if line is None:
        return
    try:
        await line.hang_up()
    except Exception:
        logger.exception("hanging up the line failed")


def _keep(task: asyncio.Task[None]) -> asyncio.Task[None]:
    _ENDING.add(task)
    task.add_done_callback(_ENDING.discard)
    return task
