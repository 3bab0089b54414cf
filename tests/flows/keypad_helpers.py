"""A phone call with a keypad, for the keypad flow and hostile tests.

The room is LiveKit's own ``rtc.EventEmitter`` (``rtc.Room`` is one): the test emits
``sip_dtmf_received`` with a real ``rtc.SipDTMF``, exactly what the SIP service makes the room emit,
and the real :class:`agents.keypad.KeypadListener` and ``AgentSession`` do the rest.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from livekit import rtc

from agents.keypad import KeypadListener
from agents.registry import ENTRY_AGENT
from call.keypad import KEYPAD_MESSAGE
from services.demo_data import DemoCustomer
from worker.report import build_report
from worker.testing import OfflineCall, ScriptedLLM, offline_call

TIMEOUT_S = 0.05
"""The per-key timeout of the tests' keypads (4 s on a real call)."""
_DTMF_CODES = {**{str(d): d for d in range(10)}, "*": 10, "#": 11, "A": 12, "B": 13, "C": 14, "D": 15}


class Keypad:
    """The caller's keypad on a call: presses keys on the room, waits until the desk has answered."""

    def __init__(self, call: OfflineCall, *, timeout_s: float = TIMEOUT_S) -> None:
        self.call = call
        self.room: rtc.EventEmitter[str] = rtc.EventEmitter()
        self.listener = KeypadListener(self.room, call.session, timeout_s=timeout_s)

    def press(self, keys: str, *, participant: Any = None) -> None:
        """Emit one ``sip_dtmf_received`` per key, as the room does for a SIP participant."""
        for key in keys:
            self.room.emit("sip_dtmf_received", rtc.SipDTMF(code=_DTMF_CODES[key], digit=key, participant=participant))

    async def settled(self) -> None:
        """Wait until the keys pressed so far were submitted, handled, and the answer played."""
        collector = self.listener.collector
        for _ in range(1000):
            if not collector.held_keys and not collector.submit_pending:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the keypad entry was never submitted")
        await self.listener.idle()
        await self.call.settle()

    async def key(self, keys: str) -> list[str]:
        """Press ``keys`` and return what the desk said in answer (the keypad's "turn")."""
        before = len(self.call.session.history.items)
        self.press(keys)
        await self.settled()
        return said_since(self.call, before)


def said_since(call: OfflineCall, before: int) -> list[str]:
    """The agent's messages added to the history after item ``before``."""
    return [
        i.text_content or ""
        for i in call.session.history.items[before:]
        if i.type == "message" and i.role == "assistant"
    ]


def keypad_turns(call: OfflineCall) -> int:
    """Caller turns recorded as keypad entries in the history."""
    return sum(
        1
        for i in call.session.history.items
        if i.type == "message" and i.role == "user" and i.text_content == KEYPAD_MESSAGE
    )


@asynccontextmanager
async def phone_call(
    db_url: str,
    llm: ScriptedLLM,
    *,
    start_agent: str = ENTRY_AGENT,
    verified_as: DemoCustomer | None = None,
    timeout_s: float = TIMEOUT_S,
) -> AsyncIterator[tuple[OfflineCall, Keypad]]:
    """An offline phone call (``channel="phone"``) with the caller's keypad attached."""
    async with offline_call(
        llm=llm, start_agent=start_agent, verified_as=verified_as, database_url=db_url, channel="phone"
    ) as call:
        pad = Keypad(call, timeout_s=timeout_s)
        pad.listener.attach()
        try:
            yield call, pad
        finally:
            pad.listener.detach()


def everything_recorded(call: OfflineCall, llm: ScriptedLLM, records: list[logging.LogRecord]) -> dict[str, str]:
    """Every place a keyed digit must never reach, as text: the session history, every chat context the
    LLM received, the call report, and every field of every log record."""
    history = json.dumps(call.session.history.to_dict(), default=str)
    requests = "\n".join(json.dumps(r.chat_ctx.to_dict(), default=str) for r in llm.requests)
    report = json.dumps(build_report(call.session, mode="test", llm_label="scripted", wall_time_s=0.0, turns=[]))
    logs = "\n".join(_log_text(r) for r in records)
    return {"history": history, "llm": requests, "report": report, "logs": logs}


def _log_text(record: logging.LogRecord) -> str:
    """Every text a formatter could print from ``record``: the message and every text field (``extra`` ones
    such as LiveKit's ``lk.pii.*`` included). Timestamps and other numbers are left out: they hold digit runs."""
    fields = [v for v in record.__dict__.values() if isinstance(v, str)]
    return " ".join([record.getMessage(), *fields, repr(record.args), str(record.exc_info or "")])
