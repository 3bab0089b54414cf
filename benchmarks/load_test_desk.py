"""The ``desk`` variant of :mod:`benchmarks.load_test`: our desk's session in a LiveKit job process.

A module of its own, so the ``bare`` baseline's job processes never import the desk, and so the
``desk-preload`` variant can name it in ``AgentServer(preload_modules=...)``: like
``worker.server`` in production, it imports the agents, tools and services at the top.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from livekit.agents import JobContext

from agents.registry import ENTRY_AGENT
from agents.turns import send_caller_text
from benchmarks.load_test import CallParts, Config, Fakes, job_name, run_job, speech_kwargs
from call.context import CustomerContext
from services import open_services
from worker.session import build_session, start_call


async def _desk_session(ctx: JobContext, cfg: Config, fakes: Fakes) -> CallParts:
    db = Path(cfg.run_dir) / f"{job_name(ctx)}.db"
    shutil.copyfile(cfg.db_template, db)
    services = await open_services(f"sqlite+aiosqlite:///{db}", salt="load-test-salt", seed=False)
    userdata = CustomerContext(services=services, channel="web", max_transfers=8, max_auth_attempts=3)
    session = build_session(llm=fakes.llm, userdata=userdata, **speech_kwargs(ctx, cfg, fakes))

    async def start() -> None:
        await start_call(session, start_agent=ENTRY_AGENT, record=False)

    async def cleanup() -> None:
        await services.close()
        db.unlink(missing_ok=True)

    async def send_text(text: str) -> None:
        await send_caller_text(session, text)  # code first, the LLM only if code did not answer

    return CallParts(session, start, cleanup, send_text)


async def desk_call(ctx: JobContext) -> None:
    """Job entrypoint of the ``desk`` variants."""
    await run_job(ctx, _desk_session)
