"""The test seam: run a real ``AgentSession`` offline on a fresh seeded database.

Any test suite can use it (not only ours)::

    from worker.testing import offline_call, ScriptedLLM, Reply
    from services.demo_data import AVA

    async with offline_call(llm=ScriptedLLM([...]), start_agent="returns", verified_as=AVA) as call:
        result = await call.session.run(user_input="I want to return my jacket")
        result.expect.next_event().is_function_call(name="check_return_eligibility")
        rows = await call.query("select status from returns")

``llm`` may be any ``livekit.agents.llm.LLM`` (a scripted one, a local server, a hosted model).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livekit.agents import AgentSession, llm
from sqlalchemy import text

from agents.registry import ENTRY_AGENT
from agents.turns import CallerTurn, send_caller_text
from call.context import AuthStep, Channel, CustomerContext
from services import Clock, Services, open_services
from services.demo_data import DemoCustomer
from services.views import AddressView, CustomerView

from ..session import build_session, start_call
from .scripted_llm import Reply, ScriptedLLM, last_tool_output

FIXED_NOW = dt.datetime(2026, 11, 18, 15, 0)
"""The frozen "now" of offline calls (a Wednesday), so policy dates are reproducible."""
TEST_SALT = "offline-test-salt"


@dataclass
class OfflineCall:
    """A running offline call."""

    session: AgentSession[CustomerContext]
    userdata: CustomerContext
    services: Services
    database_url: str

    async def query(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        """Run a read-only SQL query on the call's database and return all rows."""

        async def _q(s: Any) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in (await s.execute(text(sql), params)).all()]

        return await self.services.db.run(_q)

    async def say(self, text: str) -> CallerTurn:
        """One caller turn, typed: code first, the LLM only if code did not answer (as for speech)."""
        return await send_caller_text(self.session, text)

    async def settle(self) -> None:
        """Wait until the agent has finished speaking (e.g. its greeting)."""
        await self.session.wait_for_idle()


def mark_verified(ctx: CustomerContext, customer: DemoCustomer) -> None:
    """Put ``ctx`` in the state the authentication flow leaves it in for ``customer``
    (verified, address confirmed, disclosure played, offer declined), without a call."""
    v = ctx.verification
    v.first_name, v.phone, v.date_of_birth = customer.first_name, customer.phone, customer.date_of_birth
    v.customer = CustomerView(customer.id, customer.first_name, customer.last_name, customer.loyalty_tier)
    v.address_on_file = AddressView(*customer.address)
    v.secret_kind, v.verified_at, v.step = "ssn", ctx.services.clock.now(), AuthStep.DONE
    ctx.disclosure.started_at = ctx.disclosure.ended_at = ctx.services.clock.now()
    ctx.disclosure.played_pct, ctx.disclosure.response = 100, "DECLINED"


@asynccontextmanager
async def offline_call(
    *,
    llm: llm.LLM,
    start_agent: str = ENTRY_AGENT,
    verified_as: DemoCustomer | None = None,
    database_url: str | None = None,
    now: dt.datetime = FIXED_NOW,
    channel: Channel = "test",
    max_transfers: int = 8,
    before_start: Callable[[CustomerContext], Awaitable[None]] | None = None,
) -> AsyncIterator[OfflineCall]:
    """Start an offline call (no LiveKit server, no audio) at ``start_agent``.

    Args:
        llm: The model driving the agents.
        start_agent: Registry key of the first agent.
        verified_as: Start with this demo customer already verified.
        database_url: Defaults to a fresh seeded SQLite file in a temporary folder.
        now: The frozen clock of the call's services.
        channel: Recorded in the context.
        max_transfers: Transfer budget.
        before_start: Awaited with the call's context before the session starts (e.g. to set
            ``caller_number`` or ``resumable``, as the worker's entrypoint does).

    Yields:
        The running :class:`OfflineCall`; the session and database are closed on exit.
    """
    with tempfile.TemporaryDirectory(prefix="desk-") as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'marketplace.db'}"
        services = await open_services(url, salt=TEST_SALT, clock=Clock(fixed=now))
        ctx = CustomerContext(services=services, channel=channel, max_transfers=max_transfers)
        ctx.current_agent = start_agent
        if verified_as is not None:
            mark_verified(ctx, verified_as)
        try:
            if before_start is not None:
                await before_start(ctx)
            async with build_session(llm=llm, userdata=ctx) as session:
                await start_call(session, start_agent=start_agent, record=False)
                call = OfflineCall(session=session, userdata=ctx, services=services, database_url=url)
                await call.settle()
                yield call
        finally:
            await services.close()


__all__ = ["FIXED_NOW", "OfflineCall", "Reply", "ScriptedLLM", "last_tool_output", "mark_verified", "offline_call"]
