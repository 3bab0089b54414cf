"""The ``AgentServer``: prewarm (models loaded once per process) and the rtc_session entrypoint."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

from livekit import rtc
from livekit.agents import AgentServer, AgentSession, JobContext, JobProcess
from livekit.agents.voice.events import ConversationItemAddedEvent

from agents.registry import AGENTS, ENTRY_AGENT
from call.context import CustomerContext
from call.redaction import redact
from services import open_services

from .call_events import observe_call
from .logging_setup import configure_logging
from .providers import build_providers, load_vad
from .settings import Settings

logger = logging.getLogger("marketplace.worker")

MAX_TOOL_STEPS = 5
"""Tool steps allowed in one reply (e.g. save_address → read_disclosure → reply)."""


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
    # Registered before joining, so the pool is released even if joining fails (the transcript
    # callback below needs no database).
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
    session = AgentSession[CustomerContext](
        vad=ctx.proc.userdata["vad"],
        stt=providers.stt,
        llm=providers.llm,
        tts=providers.tts,
        turn_handling=providers.turn_handling,
        userdata=userdata,
        max_tool_steps=MAX_TOOL_STEPS,
    )
    observe_call(session)
    _publish_desk_state(ctx, session)

    async def _on_shutdown() -> None:
        _save_transcript(session, userdata, Path("data/transcripts") / f"{ctx.room.name}-{int(time.time())}.json")

    ctx.add_shutdown_callback(_on_shutdown)
    await session.start(agent=AGENTS[ENTRY_AGENT](), room=ctx.room)


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


def _save_transcript(session: AgentSession[CustomerContext], data: CustomerContext, path: Path) -> None:
    """Write the call's redacted transcript and transfer log as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    turns: list[dict[str, Any]] = []
    for item in session.history.items:
        if item.type == "message" and item.role in ("user", "assistant"):
            turns.append({"role": item.role, "text": redact(item.text_content or "")})
    path.write_text(
        json.dumps(
            {
                "channel": data.channel,
                "verified": data.verification.verified,
                "transfers": [
                    {
                        "from": t.from_agent,
                        "to": t.to_agent,
                        "reason": redact(t.reason),
                        "handoff_latency_s": t.handoff_latency_s,
                    }
                    for t in data.transfers
                ],
                "actions": data.actions,
                "transcript": turns,
            },
            indent=2,
        )
    )
    logger.info("transcript saved to %s", path)


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
