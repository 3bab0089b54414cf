"""The one session builder: the worker, ``simulate`` and the test seam all build sessions here.

Same options everywhere (tool steps per reply, away timeout), and the same way to start a call
(recording decided by a setting, never left to the server's default). Caller-turn handling lives
in the agents themselves (:meth:`agents.base.MarketplaceAgent.take_caller_turn`), so nothing has to
be wired from outside for confirmations or identity capture to work.
"""

from __future__ import annotations

from typing import Any

from livekit import rtc
from livekit.agents import NOT_GIVEN, AgentSession, llm, stt, tts, vad
from livekit.agents.voice.events import FunctionToolsExecutedEvent
from livekit.agents.voice.turn import TurnHandlingOptions

from agents.registry import AGENTS
from call.context import CustomerContext

from .guardrail_client import attach_guardrail_classifier
from .idle import DEFAULT_AWAY_TIMEOUT_S, DEFAULT_GRACE_S, attach_idle_handling
from .lifecycle import close_with_session
from .provider_errors import attach_provider_error_handling
from .settings import Settings
from .supervisor_client import build_supervisor

MAX_TOOL_STEPS = 5
"""Tool steps allowed in one reply (e.g. check eligibility → propose the return)."""


def build_session(
    *,
    llm: llm.LLM | llm.RealtimeModel,
    userdata: CustomerContext,
    stt: stt.STT | None = None,
    tts: tts.TTS | None = None,
    vad: vad.VAD | None = None,
    turn_handling: TurnHandlingOptions | None = None,
    aec_warmup_duration: float | Any | None = NOT_GIVEN,
    settings: Settings | None = None,
    user_away_timeout: float | Any | None = NOT_GIVEN,
) -> AgentSession[CustomerContext]:
    """An ``AgentSession`` for one call.

    Args:
        llm: The model (cloud, local server, a realtime speech model, or a scripted test model).
        userdata: The call's context.
        stt, tts, vad: Speech models; all ``None`` for a text-only session.
        turn_handling: Endpointing, turn detection, interruption and preemptive generation.
        aec_warmup_duration: Echo-cancellation warm-up (``None`` for WAV files, which carry no echo).
        settings: When given and ``userdata`` has no supervisor yet, the supervisor client configured by
            these settings is put on ``userdata.supervisor`` (:func:`worker.supervisor_client.build_supervisor`;
            ``None`` when none is configured) and closed with the session. Also the human team's number
            (``userdata.human_transfer``) and the idle-caller timings, and the output guardrail's optional
            classifier (``userdata.guardrail_classifier``, :mod:`worker.guardrail_client`).
        user_away_timeout: Seconds of silence before the caller counts as away ("Are you still there?",
            :mod:`worker.idle`); default ``USER_AWAY_TIMEOUT_S`` for a voice session, ``None`` (never) for a
            text-only one, whose tests and typed calls must not be interrupted by it.

    Returns:
        The session, not started (see :func:`start_call`).
    """
    kwargs: dict[str, Any] = {"llm": llm, "userdata": userdata, "max_tool_steps": MAX_TOOL_STEPS}
    if stt is not None:
        kwargs["stt"] = stt
    if tts is not None:
        kwargs["tts"] = tts
    if vad is not None:
        kwargs["vad"] = vad
    if turn_handling is not None:
        kwargs["turn_handling"] = turn_handling
    elif stt is None:
        # Text only: no audio flows, so no end-of-turn model is loaded (~243 MB per process).
        kwargs["turn_handling"] = {"turn_detection": "manual"}
    if aec_warmup_duration is not NOT_GIVEN:
        kwargs["aec_warmup_duration"] = aec_warmup_duration
    # --- ending ---
    if user_away_timeout is NOT_GIVEN:
        user_away_timeout = (settings.user_away_timeout_s if settings else DEFAULT_AWAY_TIMEOUT_S) if stt else None
    kwargs["user_away_timeout"] = user_away_timeout
    session = AgentSession[CustomerContext](**kwargs)
    session.on("function_tools_executed", _silence_after_handoff)
    if settings is not None and userdata.human_transfer is None:
        userdata.human_transfer = settings.human_transfer_target()
    attach_idle_handling(session, grace_s=settings.user_away_grace_s if settings else DEFAULT_GRACE_S)
    attach_provider_error_handling(session)
    # --- end ending ---
    if settings is not None and userdata.supervisor is None:
        supervisor = build_supervisor(settings)
        userdata.supervisor = supervisor
        if supervisor is not None:
            close_with_session(session, supervisor)
    # --- guardrail ---
    if settings is not None:
        attach_guardrail_classifier(session, settings)  # GUARDRAIL_CLASSIFIER_URL unset: none, the rules alone
    # --- end guardrail ---
    return session


def _silence_after_handoff(ev: FunctionToolsExecutedEvent) -> None:
    """After a transfer succeeded, the old agent says nothing more (a refused extra call would make it speak)."""
    if any(call.name == "transfer_to_agent" and not out.is_error for call, out in ev.zipped()):
        ev.cancel_tool_reply()


async def start_call(
    session: AgentSession[CustomerContext],
    *,
    start_agent: str,
    record: bool,
    room: rtc.Room | None = None,
    room_options: Any = NOT_GIVEN,
) -> None:
    """Start ``session`` at ``start_agent``.

    Args:
        session: From :func:`build_session`.
        start_agent: Registry key of the first agent.
        record: Whether LiveKit records audio and transcripts server-side (``RECORD_CALLS``; off by
            default: they hold identity digits).
        room: The LiveKit room (``None`` offline).
        room_options: LiveKit ``RoomOptions`` (e.g. the text-input callback).
    """
    kwargs: dict[str, Any] = {"record": record}
    if room is not None:
        kwargs["room"] = room
    if room_options is not NOT_GIVEN:
        kwargs["room_options"] = room_options
    await session.start(AGENTS[start_agent](), **kwargs)
