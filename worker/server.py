"""The ``AgentServer``: prewarm (models loaded once per process) and the rtc_session entrypoint."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from livekit import rtc
from livekit.agents import AgentServer, AgentSession, JobContext, JobProcess
from livekit.agents.voice.events import ConversationItemAddedEvent
from livekit.agents.voice.room_io import RoomOptions, TextInputEvent, TextInputOptions

from agents.registry import ENTRY_AGENT
from agents.turns import send_caller_text
from call.context import CustomerContext
from call.redaction import redact
from services import open_services

from .logging_setup import configure_logging
from .providers import build_providers, load_vad
from .report import build_report
from .session import build_session, start_call
from .settings import Settings

logger = logging.getLogger("marketplace.worker")


def prewarm(proc: JobProcess) -> None:
    """Runs once per job process: load VAD (and the local speech models) before any call arrives."""
    settings = Settings()
    proc.userdata["settings"] = settings
    proc.userdata["vad"] = load_vad()
    if settings.provider_profile == "local":
        from .offline.speech import PiperTTS, WhisperSTT

        proc.userdata["whisper"] = WhisperSTT.load_model()
        proc.userdata["piper"] = PiperTTS.load_voice()


async def entrypoint(ctx: JobContext) -> None:
    """One call: build the session from settings, start at the authentication agent."""
    settings: Settings = ctx.proc.userdata.get("settings") or Settings()
    configure_logging(settings.log_level)
    ctx.log_context_fields = {"room": ctx.room.name, "job_id": ctx.job.id}
    services = await open_services(
        settings.database_url, salt=settings.secret_salt.get_secret_value(), timeout_s=settings.service_timeout_s
    )
    # Registered before joining, so the pool is released even if joining fails.
    ctx.add_shutdown_callback(services.close)
    await ctx.connect()
    participant = await ctx.wait_for_participant()
    is_phone = participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP
    userdata = CustomerContext(
        services=services,
        channel="phone" if is_phone else "web",
        caller_number=participant.attributes.get("sip.phoneNumber") if is_phone else None,
        max_transfers=settings.max_transfers_per_call,
        max_auth_attempts=settings.max_auth_attempts,
    )
    providers = build_providers(settings, preloaded=ctx.proc.userdata)
    session = build_session(
        llm=providers.llm,
        userdata=userdata,
        stt=providers.stt,
        tts=providers.tts,
        vad=ctx.proc.userdata["vad"],
        turn_handling=providers.turn_handling,
        settings=settings,
    )
    _publish_desk_state(ctx, session)
    started = time.monotonic()

    async def _on_shutdown() -> None:
        report = build_report(
            session, mode="live", llm_label=providers.llm.model, wall_time_s=time.monotonic() - started, turns=[]
        )
        path = settings.reports_dir / f"{ctx.room.name}-{int(time.time())}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2))
        logger.info("call report saved to %s", path)

    ctx.add_shutdown_callback(_on_shutdown)
    await start_call(
        session,
        start_agent=ENTRY_AGENT,
        record=settings.record_calls,
        room=ctx.room,
        room_options=RoomOptions(text_input=TextInputOptions(text_input_cb=_typed_turn)),
    )


async def _typed_turn(session: AgentSession[Any], ev: TextInputEvent) -> None:
    """Playground text chat: the same code-first path as speech (LiveKit's default skips it)."""
    await session.interrupt()
    await send_caller_text(session, ev.text)


def _publish_desk_state(ctx: JobContext, session: AgentSession[CustomerContext]) -> None:
    """Show the current agent, verification level and last transfer reason as participant
    attributes (visible in the Agents Playground's participant panel)."""

    pending: set[asyncio.Future[None]] = set()

    def _on_item(ev: ConversationItemAddedEvent) -> None:
        if ev.item.type != "agent_handoff" or ctx.room.local_participant is None:
            return
        data = session.userdata
        last = data.transfers[-1] if data.transfers else None
        attributes = {
            "desk.agent": data.current_agent,
            "desk.verification": data.verification.step.value,
            "desk.last_transfer_reason": redact(last.reason) if last else "",
        }
        task = asyncio.ensure_future(ctx.room.local_participant.set_attributes(attributes))
        pending.add(task)
        task.add_done_callback(pending.discard)

    session.on("conversation_item_added", _on_item)


def build_server(settings: Settings) -> AgentServer:
    """The worker's ``AgentServer`` with prewarm and the entrypoint registered."""
    server = AgentServer(
        ws_url=settings.livekit_url,
        api_key=settings.livekit_api_key.get_secret_value() if settings.livekit_api_key else None,
        api_secret=settings.livekit_api_secret.get_secret_value() if settings.livekit_api_secret else None,
        prometheus_port=settings.prometheus_port,
        setup_fnc=prewarm,
    )
    server.rtc_session(entrypoint, agent_name=settings.agent_name)
    return server
