"""Helpers for the hostile-model suite: a scripted model that acts like an attacker or a confused small model."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from agents.registry import AGENTS
from agents.turns import CallerTurn
from services import Clock, open_services
from services.demo_data import AVA, DemoCustomer
from services.schema import Base
from worker.testing import FIXED_NOW, TEST_SALT, OfflineCall, Reply, ScriptedLLM, offline_call
from worker.testing import scripted_llm as _scripted
from worker.testing.scripted_llm import PlannedCall

STATIC_TABLES = ("return_policies", "tracking_events")
WRITE_TABLES = tuple(t for t in Base.metadata.tables if t not in STATIC_TABLES)
"""Every table a call could change (snapshotted to assert that nothing was written)."""

SPECIALISTS = tuple(key for key in AGENTS if key not in ("authentication", "human"))
"""The twelve specialist agents."""
PROTECTED = tuple(key for key in SPECIALISTS if AGENTS[key].requires_verified_customer)
"""Specialists an unverified caller cannot reach (the caller's own data only)."""
OPEN = tuple(key for key in SPECIALISTS if not AGENTS[key].requires_verified_customer)
"""Specialists an unverified caller may browse (their own-data tools verify on demand)."""

FORBIDDEN_IN_SPEECH = (
    "[tool",
    "(True or False)",
    "True or False",
    "transfer_to_agent",
    "digits only",
    "as the caller said",
    "Next:",
    "ToolError",
    "YYYY-MM-DD",
)


def _all_tool_names() -> tuple[str, ...]:
    from agents.base import tool_name

    return tuple(sorted({tool_name(t) for cls in AGENTS.values() for t in cls().tools}))


TOOL_NAMES = _all_tool_names()
"""Every tool name of every agent: none may ever be spoken."""


class RawArgs(str):
    """Tool-call arguments sent verbatim (not JSON-encoded): malformed, huge or deeply nested text."""


class _RawStream(_scripted._ScriptedStream):
    async def _run(self) -> None:
        from livekit.agents.llm import ChatChunk, ChoiceDelta, FunctionToolCall

        reply = self._reply
        request_id = f"hostile-{next(_scripted._call_ids)}"
        if reply.text:
            for i, word in enumerate(reply.text.split(" ")):
                piece = word if i == 0 else " " + word
                self._event_ch.send_nowait(ChatChunk(id=request_id, delta=ChoiceDelta(role="assistant", content=piece)))
        if reply.calls:
            calls = []
            for planned in reply.calls:
                args = planned.arguments(self._chat_ctx) if callable(planned.arguments) else planned.arguments
                raw = str(args) if isinstance(args, RawArgs) else json.dumps(args)
                calls.append(
                    FunctionToolCall(name=planned.name, arguments=raw, call_id=f"call_{next(_scripted._call_ids)}")
                )
            self._event_ch.send_nowait(ChatChunk(id=request_id, delta=ChoiceDelta(role="assistant", tool_calls=calls)))


class HostileLLM(ScriptedLLM):
    """``ScriptedLLM`` that can also send raw argument strings (``PlannedCall(name, RawArgs('...'))``)."""

    def chat(self, **kwargs: Any) -> Any:
        stream = super().chat(**kwargs)
        stream.__class__ = _RawStream  # the stream's task has not run yet
        return stream


def raw_call(name: str, arguments: str) -> Reply:
    """A reply calling ``name`` with the raw ``arguments`` text."""
    return Reply(calls=[PlannedCall(name, RawArgs(arguments))])  # type: ignore[arg-type]


def calls(*pairs: tuple[str, dict[str, Any]]) -> Reply:
    """One reply with several tool calls."""
    return Reply(calls=[PlannedCall(name, args) for name, args in pairs])


@asynccontextmanager
async def desk(
    db_url: str,
    *,
    agent: str,
    verified_as: DemoCustomer | None = AVA,
    llm: ScriptedLLM | None = None,
    max_transfers: int = 8,
) -> AsyncIterator[tuple[OfflineCall, ScriptedLLM]]:
    """An offline call at ``agent``; the model's unscripted requests get the fallback line."""
    model = llm or HostileLLM()
    async with offline_call(
        llm=model, start_agent=agent, verified_as=verified_as, database_url=db_url, max_transfers=max_transfers
    ) as call:
        yield call, model


async def turn(call: OfflineCall, llm: ScriptedLLM, caller: str, *replies: Reply) -> CallerTurn:
    """Queue the model's ``replies`` and run one caller turn."""
    llm.push(*replies)
    return await call.say(caller)


async def snapshot(call: OfflineCall, tables: tuple[str, ...] = WRITE_TABLES) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the written tables (to assert "nothing written")."""
    return {t: sorted(map(repr, await call.query(f"select * from {t}"))) for t in tables}  # type: ignore[misc]


async def count(call: OfflineCall, table: str) -> int:
    return int((await call.query(f"select count(*) from {table}"))[0][0])


def assert_clean_speech(lines: list[str]) -> None:
    """No utterance carries a tool name, a marker for the model or a step instruction."""
    for line in lines:
        lowered = line.casefold()
        for bad in (*FORBIDDEN_IN_SPEECH, *TOOL_NAMES):
            assert bad.casefold() not in lowered, f"spoken: {line!r} contains {bad!r}"


def history_speech(call: OfflineCall) -> list[str]:
    """Everything the agents said in the call so far."""
    return [
        i.text_content or ""
        for i in call.session.history.items
        if getattr(i, "type", "") == "message" and getattr(i, "role", "") == "assistant"
    ]


async def seed(db_url: str, action: Callable[[Any], Any]) -> Any:
    """Run ``action(services)`` on the database before the call (e.g. open Marcus's return)."""
    services = await open_services(db_url, salt=TEST_SALT, clock=Clock(fixed=FIXED_NOW))
    try:
        return await action(services)
    finally:
        await services.close()


async def open_return(services: Any, customer: str, order: str, *, pickup: bool = False) -> str:
    r = await services.returns.initiate_return(customer, order, sku=None, condition="unused", reason="does not fit")
    if pickup:
        await services.returns.schedule_pickup(customer, r.id, date=dt.date(2026, 11, 20), window="morning")
    return str(r.id)
