"""The ``desk`` variant of :mod:`benchmarks.load_test`: our desk's session in a LiveKit job process.

A module of its own, so the ``bare`` baseline's job processes never import the desk, and so the
``desk-preload`` variant can name it in ``AgentServer(preload_modules=...)``: like
``worker.server`` in production, it imports the agents, tools and services at the top.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from livekit.agents import AgentSession, JobContext

from agents.registry import ENTRY_AGENT
from benchmarks.load_test import Config, Fakes, job_name, run_job, turn_handling
from call.context import CustomerContext
from services import open_services
from worker.session import build_session, start_call


async def _desk_session(
    ctx: JobContext, cfg: Config, fakes: Fakes
) -> tuple[AgentSession[Any], Callable[[], Awaitable[None]], Callable[[], Any]]:
    db = Path(cfg.run_dir) / f"{job_name(ctx)}.db"
    shutil.copyfile(cfg.db_template, db)
    services = await open_services(f"sqlite+aiosqlite:///{db}", salt="load-test-salt", seed=False)
    userdata = CustomerContext(services=services, channel="web", max_transfers=8, max_auth_attempts=3)
    session = build_session(
        llm=fakes.llm,
        userdata=userdata,
        stt=fakes.stt,
        tts=fakes.tts,
        vad=ctx.proc.userdata["vad"],
        turn_handling=turn_handling(),
        aec_warmup_duration=None,
    )

    async def start() -> None:
        await start_call(session, start_agent=ENTRY_AGENT, record=False)

    async def cleanup() -> None:
        await services.close()
        db.unlink(missing_ok=True)

    return session, start, cleanup


async def desk_call(ctx: JobContext) -> None:
    """Job entrypoint of the ``desk`` variants."""
    await run_job(ctx, _desk_session)
