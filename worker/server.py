"""The ``AgentServer``: prewarm (models loaded once per process) and the rtc_session entrypoint.

One call = one job process running :func:`entrypoint`: it opens the services, waits for the
caller (a Playground user or a SIP participant from the phone trunk), builds the session with
the configured providers, publishes the desk's state as participant attributes (the Agents
Playground shows them) and writes the redacted call report when the job shuts down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from livekit import rtc
from livekit.agents import AgentServer, AgentSession, JobContext, JobProcess
from livekit.agents.voice.room_io import TextInputEvent

from agents.keypad import attach_keypad
from agents.registry import ENTRY_AGENT
from agents.turns import send_caller_text
from call.context import AuthStep, CustomerContext
from call.redaction import redact
from services import open_services

from .call_state import CallStateRecorder, attach_call_state, find_resumable_call
from .logging_setup import configure_logging
from .metrics import enable_multiprocess
from .observability import observe_call
from .phone_line import LiveKitPhoneLine
from .providers import build_providers, load_vad
from .report import build_report, write_call_report
from .scaling import server_options
from .session import build_session, start_call
from .settings import Settings
from .telephony import room_options_for
from .tracing import configure_tracing

logger = logging.getLogger("marketplace.worker")

ATTRIBUTE_PREFIX = "desk."
"""Participant attributes the desk publishes (LiveKit reserves ``lk.``)."""


def prewarm(proc: JobProcess) -> None:
    """Runs once per job process: load VAD (and the local speech models) before any call arrives."""
    settings = Settings()
    configure_tracing(settings)  # LiveKit's spans to OTEL_EXPORTER_OTLP_ENDPOINT (no-op when unset)
    proc.userdata["settings"] = settings
    proc.userdata["vad"] = load_vad()
    if settings.provider_profile == "local":
        from .offline.speech import PiperTTS, WhisperSTT

        proc.userdata["whisper"] = WhisperSTT.load_model()
        proc.userdata["piper"] = PiperTTS.load_voice()


async def entrypoint(ctx: JobContext) -> None:
    """One call: build the session from settings, start at the authentication agent.

    Args:
        ctx: LiveKit's job context (a real job, or ``livekit.agents.testing.fake_job_context`` in tests).
    """
    settings: Settings = ctx.proc.userdata.get("settings") or Settings()
    configure_logging(settings.log_level)
    ctx.log_context_fields = {"room": ctx.room.name, "job_id": ctx.job.id}
    services = await open_services(
        settings.database_url, salt=settings.secret_salt.get_secret_value(), timeout_s=settings.service_timeout_s
    )
    recorder: CallStateRecorder | None = None

    async def _close_services() -> None:
        # LiveKit runs shutdown callbacks concurrently: the call's last state save must finish before the pool closes.
        if recorder is not None:
            await recorder.aclose()
        await services.close()

    # Registered before joining, so the pool is released even if joining fails.
    ctx.add_shutdown_callback(_close_services)
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
    userdata.phone_line = LiveKitPhoneLine.for_participant(ctx, participant, settings)  # transfer and hang-up
    logger.info("call started (%s caller)", userdata.channel)
    # A dropped call of the same caller (phone: number; web: participant identity) is offered back.
    caller_key = userdata.caller_number if is_phone else participant.identity
    userdata.resumable = await find_resumable_call(
        services, channel=userdata.channel, caller_key=caller_key, settings=settings
    )
    providers = build_providers(settings, preloaded=ctx.proc.userdata)
    session = build_session(
        llm=providers.llm,
        userdata=userdata,
        stt=providers.stt,
        tts=providers.tts,
        vad=ctx.proc.userdata.get("vad"),
        turn_handling=providers.turn_handling,
        settings=settings,
    )
    providers.attach(session)  # the realtime profile: its replies get the current agent's guards
    observe_call(session)  # how the call ends, desk metrics, agent/turn on every log line (in this task)
    recorder = attach_call_state(session, caller_key)  # state in the database, so another process can resume it
    publish_desk_state(ctx.room, session)
    started = time.monotonic()

    async def _on_shutdown(reason: str) -> None:
        report = build_report(
            session,
            mode="live",
            llm_label=providers.llm.model,
            wall_time_s=time.monotonic() - started,
            turns=[],
            shutdown_reason=reason,
        )
        write_call_report(report, settings, name=ctx.room.name)  # logs where it was saved

    ctx.add_shutdown_callback(_on_shutdown)
    await start_call(
        session,
        start_agent=ENTRY_AGENT,
        record=settings.record_calls,
        room=ctx.room,
        room_options=room_options_for(participant, settings, text_input_cb=_typed_turn),
    )
    if is_phone:
        # Keyed digits (DTMF) go to the agent's code-first path, never to the LLM or a log.
        attach_keypad(ctx.room, session, caller_identity=participant.identity)


async def _typed_turn(session: AgentSession[Any], ev: TextInputEvent) -> None:
    """Playground text chat: the same code-first path as speech (LiveKit's default skips it)."""
    await session.interrupt()
    await send_caller_text(session, ev.text)


def desk_attributes(data: CustomerContext) -> dict[str, str]:
    """The participant attributes that show the desk's state (Agents Playground, dashboards).

    Returns:
        ``desk.agent`` (registry key of the agent speaking), ``desk.verification`` (``unverified``,
        ``in_progress`` with the step, ``verified``, ``locked_out``), ``desk.verification_step``,
        ``desk.last_transfer`` (``from→to``) and ``desk.last_transfer_reason`` (redacted; empty
        before the first transfer). Values are strings, as LiveKit attributes must be.
    """
    v = data.verification
    if v.step is AuthStep.LOCKED_OUT:
        level = "locked_out"
    elif data.verified_customer() is not None:
        level = "verified"
    elif v.step is AuthStep.FIRST_NAME and v.first_name is None:
        level = "unverified"
    else:
        level = "in_progress"
    last = data.transfers[-1] if data.transfers else None
    return {
        f"{ATTRIBUTE_PREFIX}agent": data.current_agent,
        f"{ATTRIBUTE_PREFIX}verification": level,
        f"{ATTRIBUTE_PREFIX}verification_step": v.step.value,
        f"{ATTRIBUTE_PREFIX}last_transfer": f"{last.from_agent}→{last.to_agent}" if last else "",
        f"{ATTRIBUTE_PREFIX}last_transfer_reason": redact(last.reason) if last else "",
    }


def publish_desk_state(room: rtc.Room | Any, session: AgentSession[CustomerContext]) -> None:
    """Keep :func:`desk_attributes` in step with the session on the agent's participant.

    Published when the session starts and whenever they change: after every conversation item
    (a caller turn, a reply, a handoff) and every agent state change. Only changed keys are sent.
    """
    pending: set[asyncio.Future[None]] = set()
    published: dict[str, str] = {}

    def _sync(_: object = None) -> None:
        if not room.isconnected() or room.local_participant is None:
            return
        current = desk_attributes(session.userdata)
        changed = {k: v for k, v in current.items() if published.get(k) != v}
        if not changed:
            return
        published.update(changed)
        task = asyncio.ensure_future(room.local_participant.set_attributes(changed))
        pending.add(task)
        task.add_done_callback(pending.discard)

    session.on("conversation_item_added", _sync)
    session.on("agent_state_changed", _sync)
    _sync()


def build_server(settings: Settings) -> AgentServer:
    """The worker's ``AgentServer`` with prewarm and the entrypoint registered."""
    multiproc = enable_multiprocess(settings)  # job processes' desk metrics reach /metrics
    server = AgentServer(
        ws_url=settings.livekit_url,
        api_key=settings.livekit_api_key.get_secret_value() if settings.livekit_api_key else None,
        api_secret=settings.livekit_api_secret.get_secret_value() if settings.livekit_api_secret else None,
        prometheus_port=settings.prometheus_port,
        prometheus_multiproc_dir=str(multiproc) if multiproc else None,
        setup_fnc=prewarm,
        **server_options(settings),  # load threshold, idle processes, memory limits, preloaded modules
    )
    server.rtc_session(entrypoint, agent_name=settings.agent_name)
    return server
