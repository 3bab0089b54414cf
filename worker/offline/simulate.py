"""``python -m worker simulate``: a whole call with no LiveKit server.

Caller audio comes from WAV files (one per caller turn, played in real time after the agent has
finished its reply) through VAD → STT → LLM → tools → TTS; the agent's audio is recorded to
``agent.wav``. ``--text`` runs the same call from typed lines. Writes ``report.json`` (see
:mod:`worker.report`) and ``transcript.txt`` in the output folder and prints the transcript.

By default the model is the local OpenAI-compatible server of the ``local`` profile
(``scripts/setup_local_llm.sh start``); ``--llm scripted`` replays the scenario's scripted replies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from livekit.agents import AgentSession, APIError, llm
from livekit.agents.voice.agent_activity import ActivityClosedError

from agents.base import tool_name
from agents.registry import AGENTS, ENTRY_AGENT
from agents.turns import send_caller_text
from call.context import CustomerContext
from call.redaction import redact
from services import open_services
from tools.end_call import is_ending

from ..logging_setup import configure_logging
from ..observability import observe_call
from ..providers import build_llm, load_vad, local_turn_handling
from ..report import TurnTiming, build_report, diff_snapshots, format_transcript, snapshot
from ..session import build_session, start_call
from ..settings import Settings
from ..testing.scripted_llm import ScriptedLLM
from .scenarios import (
    SCENARIO_DIR,
    SCRIPTED,
    Scenario,
    bundled_scenarios,
    evaluate,
    format_outcome,
    load_scenario,
    parse_scenario,
)

if TYPE_CHECKING:
    from .speech import WavAgentOutput, WavCallerInput

logger = logging.getLogger("marketplace.simulate")

DEFAULT_CALL = Path("samples/calls/return_jacket")
SETTLE_S = 1.2
"""The agent counts as done when it has been listening this long after its reply."""
SILENT_AGENT_S = 8.0
"""...or this long after the caller's turn was committed without any agent speech."""


@dataclass
class SimOptions:
    """Options of one simulated call (see ``--help``)."""

    audio: list[Path]
    text_lines: list[str] | None
    llm: Literal["local", "scripted"]
    scenario: Scenario | None
    out: Path
    database_url: str | None
    start_agent: str
    turn_timeout_s: float


class CallMonitor:
    """Follows agent/caller states and message counts to know when a turn is over."""

    def __init__(self, session: AgentSession[CustomerContext]) -> None:
        self.agent_state = "initializing"
        self.user_speaking = False
        self.last_change = time.monotonic()
        self.assistant_messages = 0
        self.user_messages = 0
        self.speaking_started: list[float] = []
        self._changed = asyncio.Event()
        self._session = session
        session.on("agent_state_changed", self._on_agent_state)
        session.on("user_state_changed", self._on_user_state)
        session.on("conversation_item_added", self._on_item)

    def _touch(self) -> None:
        self.last_change = time.monotonic()
        self._changed.set()

    def _on_agent_state(self, ev: object) -> None:
        self.agent_state = str(getattr(ev, "new_state", ""))
        if self.agent_state == "speaking":
            self.speaking_started.append(time.monotonic())
        self._touch()

    def _on_user_state(self, ev: object) -> None:
        self.user_speaking = getattr(ev, "new_state", "") == "speaking"
        self._touch()

    def _on_item(self, ev: object) -> None:
        role = getattr(getattr(ev, "item", None), "role", None)
        if role == "assistant":
            self.assistant_messages += 1
        elif role == "user":
            self.user_messages += 1
        self._touch()

    async def wait_turn_done(self, *, assistant_before: int, user_before: int | None, timeout_s: float) -> bool:
        """Wait until the agent replied and is listening again. Returns ``False`` on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            idle = self.agent_state in ("listening", "idle") and not self.user_speaking
            quiet = time.monotonic() - self.last_change
            if idle and self.assistant_messages > assistant_before and quiet >= SETTLE_S:
                return True
            if idle and user_before is not None and self.user_messages > user_before and quiet >= SILENT_AGENT_S:
                return True
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=0.2)
            except TimeoutError:
                pass
        return False

    async def wait_settled(self, timeout_s: float) -> bool:
        """After :meth:`wait_turn_done`: wait until the desk has nothing left to say. Returns ``False`` on timeout.

        The monitor counts a turn as done after a quiet moment, but a code reply may queue several
        speeches with work between them (the address confirmed, then the 65-second disclosure): on a
        loaded machine that gap once let the caller's next line fall inside the disclosure, which
        cannot be interrupted. So also wait for LiveKit's idle activity and for the disclosure's end.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if is_ending(self._session):
                return True
            try:
                await asyncio.wait_for(self._session.wait_for_idle(), timeout=max(deadline - time.monotonic(), 0.1))
            except (ActivityClosedError, RuntimeError, TimeoutError):
                return is_ending(self._session)
            await asyncio.sleep(SETTLE_S)
            disclosure = self._session.userdata.disclosure
            speaking = disclosure.started_at is not None and disclosure.ended_at is None
            if not speaking and self._session.current_speech is None and self._session.agent_state == "listening":
                return True
        return False


async def run_simulation(opts: SimOptions, settings: Settings) -> dict[str, object]:
    """Run one call and write ``report.json``, ``transcript.txt`` (and ``agent.wav`` with audio).

    Returns:
        The report dict.
    """
    opts.out.mkdir(parents=True, exist_ok=True)
    db_file = (opts.out / "marketplace.db").resolve()
    if opts.database_url is None:
        # A fresh database every run: a rerun into the same folder must not inherit its lockouts or rows.
        for stale in (db_file, db_file.with_name(db_file.name + "-wal"), db_file.with_name(db_file.name + "-shm")):
            stale.unlink(missing_ok=True)
    db_url = opts.database_url or f"sqlite+aiosqlite:///{db_file}"
    services = await open_services(
        db_url, salt=settings.secret_salt.get_secret_value(), timeout_s=settings.service_timeout_s
    )
    before = await snapshot(services.db)
    userdata = CustomerContext(
        services=services,
        channel="simulation",
        max_transfers=settings.max_transfers_per_call,
        max_auth_attempts=settings.max_auth_attempts,
    )
    userdata.current_agent = opts.start_agent
    model: llm.LLM
    if opts.llm == "scripted":
        name = opts.scenario.name if opts.scenario else DEFAULT_CALL.name
        model = ScriptedLLM(SCRIPTED.get(name, []))
    else:
        model = build_llm(settings)
        await warm_prompt_cache(model)
    audio_mode = opts.text_lines is None
    turns: list[TurnTiming] = []
    t0 = time.monotonic()
    try:
        if audio_mode:
            session = await _run_audio(opts, settings, model, userdata, turns, t0)
        else:
            session = await _run_text(opts, settings, model, userdata, turns, t0)
        wall = time.monotonic() - t0
        after = await snapshot(services.db)
    finally:
        await model.aclose()
        await services.close()
    report = build_report(
        session,
        mode="audio" if audio_mode else "text",
        llm_label=f"{opts.llm}:{model.model}",
        wall_time_s=wall,
        turns=turns,
        db_changes=diff_snapshots(before, after),
    )
    (opts.out / "report.json").write_text(json.dumps(report, indent=2))
    (opts.out / "transcript.txt").write_text(format_transcript(report) + "\n")
    return report


WARM_AGENTS = ("authentication", "returns", "order_tracking", "human")
"""Agents whose prompts are put in the local server's cache before the call (the demo scenarios' agents)."""


async def warm_prompt_cache(model: llm.LLM) -> None:
    """Process the first agents' instructions and tool catalogues once, before the caller speaks.

    A cold 1,770-token prompt costs ~23 s on 2 cores; cached, a turn pays only for its new tail.
    Only the local JSON-action adapter supports this; other models are left alone.
    """
    from livekit.agents import ChatContext

    from .local_llm import ActionLLM

    if not isinstance(model, ActionLLM):
        return
    for key in WARM_AGENTS:
        agent = AGENTS[key]()
        chat_ctx = ChatContext()
        chat_ctx.add_message(role="system", content=str(agent.instructions))
        # Flattened as the session does (LiveKit's end_call is a Toolset), so the warmed prompt matches real requests.
        tools = [t for t in llm.ToolContext(agent.tools).flatten() if tool_name(t) != "save_address"]
        try:
            seconds = await model.warm_up(chat_ctx=chat_ctx, tools=tools)
        except Exception as exc:  # a failed warm-up only costs latency later
            print(f"  warming {key}: failed ({type(exc).__name__})", file=sys.stderr, flush=True)
            continue
        print(f"  warmed the {key} prompt in {seconds:.1f}s", file=sys.stderr, flush=True)


def build_audio_session(
    settings: Settings, model: llm.LLM, userdata: CustomerContext, agent_wav: Path, *, origin: float | None = None
) -> tuple[AgentSession[CustomerContext], WavCallerInput, WavAgentOutput]:
    """An offline voice session: caller audio from WAV files in, agent audio recorded to ``agent_wav``.

    Real Silero VAD, Whisper STT, Piper TTS and the local turn handling; the stored transcript is
    synchronised with the audio actually played (cut where the caller barged in).

    Args:
        settings: Local-profile settings (turn handling).
        model: The LLM.
        userdata: The call's context.
        agent_wav: Where the agent's audio is recorded.
        origin: ``time.monotonic()`` of the call start (sample 0 of the recording).

    Returns:
        ``(session, caller, speaker)``; start the session, ``await caller.play(wav)`` per caller turn,
        and close all three at the end.
    """
    from livekit.agents.voice.transcription import TranscriptSynchronizer

    from .speech import PiperTTS, WavAgentOutput, WavCallerInput, WhisperSTT

    handling = local_turn_handling(settings)
    # Speculative LLM requests would compete with the real one on a 2-core machine and would
    # consume scripted replies: off in simulations.
    handling["preemptive_generation"] = {"enabled": False}
    # WAV files carry no acoustic echo: no echo-cancellation warm-up that would ignore early barge-in.
    session = build_session(
        llm=model,
        userdata=userdata,
        stt=WhisperSTT(),
        tts=PiperTTS(),
        vad=load_vad(),
        turn_handling=handling,
        aec_warmup_duration=None,
        settings=settings,
    )
    caller = WavCallerInput()
    speaker = WavAgentOutput(agent_wav, origin=origin)
    sync = TranscriptSynchronizer(next_in_chain_audio=speaker, next_in_chain_text=None)
    session.input.audio = caller
    session.output.audio = sync.audio_output
    session.output.transcription = sync.text_output
    return session, caller, speaker


async def _run_audio(
    opts: SimOptions, settings: Settings, model: llm.LLM, userdata: CustomerContext, turns: list[TurnTiming], t0: float
) -> AgentSession[CustomerContext]:
    session, caller, speaker = build_audio_session(settings, model, userdata, opts.out / "agent.wav", origin=t0)
    observe_call(session)
    monitor = CallMonitor(session)
    try:
        await start_call(session, start_agent=opts.start_agent, record=False)
        await monitor.wait_turn_done(assistant_before=0, user_before=None, timeout_s=opts.turn_timeout_s)
        for wav in opts.audio:
            assistant_before, user_before = monitor.assistant_messages, monitor.user_messages
            code_before = userdata.code_turns
            start = time.monotonic()
            await caller.play(wav)
            end = time.monotonic()
            done = await monitor.wait_turn_done(
                assistant_before=assistant_before, user_before=user_before, timeout_s=opts.turn_timeout_s
            )
            done = done and await monitor.wait_settled(opts.turn_timeout_s)
            first = next((t for t in monitor.speaking_started if t > end), None)
            turns.append(
                TurnTiming(
                    wav.name,
                    round(start - t0, 3),
                    round(end - t0, 3),
                    None if first is None else round(first - t0, 3),
                    round(time.monotonic() - t0, 3),
                    timed_out=not done,
                    by_code=userdata.code_turns > code_before,
                )
            )
            _print_progress(turns[-1])
    finally:
        await session.aclose()
        await caller.aclose()
        speaker.close()
    return session


async def _run_text(
    opts: SimOptions,
    settings: Settings,
    model: llm.LLM,
    userdata: CustomerContext,
    turns: list[TurnTiming],
    t0: float,
) -> AgentSession[CustomerContext]:
    session = build_session(llm=model, userdata=userdata, settings=settings)
    observe_call(session)
    monitor = CallMonitor(session)
    try:
        await start_call(session, start_agent=opts.start_agent, record=False)
        await monitor.wait_turn_done(assistant_before=0, user_before=None, timeout_s=opts.turn_timeout_s)
        for line in opts.text_lines or []:
            start = time.monotonic()
            timed_out = False
            failure = ""
            try:
                result = await asyncio.wait_for(send_caller_text(session, line), timeout=opts.turn_timeout_s)
                by_code = result.by_code
            except TimeoutError:
                timed_out, by_code = True, False
                failure = f"the turn timed out after {opts.turn_timeout_s:.0f}s"
            except APIError as exc:  # the model provider failed the turn (e.g. the local server's own timeout)
                timed_out, by_code = True, False
                failure = f"the turn failed: {type(exc).__name__}: {redact(str(exc))[:120]}"
            end = time.monotonic()
            turns.append(
                TurnTiming(
                    redact(line[:60]),
                    round(start - t0, 3),
                    round(start - t0, 3),
                    None,
                    round(end - t0, 3),
                    timed_out=timed_out,
                    by_code=by_code,
                )
            )
            _print_progress(turns[-1])
            if timed_out:
                # The session is still inside that turn (LiveKit allows one run at a time), or the provider
                # failed it: the call cannot go on honestly, so it ends here and the outcome block reports
                # what was not reached.
                print(f"simulate: {failure}; the call stops here")
                break
    finally:
        await session.aclose()
    return session


def _print_progress(turn: TurnTiming) -> None:
    latency = f"{turn.response_latency_s:.2f}s" if turn.response_latency_s is not None else "n/a"
    flag = " TIMED OUT" if turn.timed_out else ""
    who = "code" if turn.by_code else "LLM"
    print(
        f"  turn {turn.caller_input}: {who} replied after {latency}, done at {turn.settled:.1f}s{flag}",
        file=sys.stderr,
        flush=True,
    )


def _parse(argv: list[str]) -> SimOptions:
    p = argparse.ArgumentParser(prog="python -m worker simulate", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "audio",
        nargs="*",
        type=Path,
        help=f"caller WAV files, or a folder of them played in name order (default: {DEFAULT_CALL})",
    )
    p.add_argument(
        "--text",
        metavar="FILE",
        help="run the call from typed lines in FILE ('-' for stdin): one caller turn per line, '#' comments, "
        "'expect:' lines with the expected outcome (format in worker/offline/scenarios.py and the README)",
    )
    p.add_argument(
        "--llm",
        choices=["local", "scripted"],
        default="local",
        help="local: the LOCAL_LLM_URL server (default); scripted: the scenario's fixed replies",
    )
    p.add_argument(
        "--scenario",
        choices=bundled_scenarios(),
        help="a bundled typed scenario from samples/scenarios (its lines and expected outcome)",
    )
    p.add_argument("--out", type=Path, help="output folder (default: runs/<timestamp>)")
    p.add_argument("--database-url", help="default: a fresh seeded SQLite file in the output folder")
    p.add_argument("--start-agent", choices=sorted(AGENTS), default=ENTRY_AGENT)
    p.add_argument("--turn-timeout", type=float, default=180.0, help="seconds allowed per turn (default 180)")
    a = p.parse_args(argv)
    text_lines = None
    scenario: Scenario | None = None
    if a.text:
        source = sys.stdin.read() if a.text == "-" else _read_text(p, Path(a.text))
        try:
            scenario = parse_scenario(source, name=Path(a.text).stem if a.text != "-" else "stdin")
        except ValueError as exc:
            p.error(f"{a.text}: {exc}")
        text_lines = scenario.lines
        if not text_lines:
            p.error(f"{a.text} has no caller lines")
    elif a.scenario and not a.audio:
        scenario = load_scenario(a.scenario)
        text_lines = scenario.lines
    audio: list[Path] = []
    for path in a.audio or ([] if text_lines else [DEFAULT_CALL]):
        if path.is_dir():
            audio.extend(sorted(path.glob("*.wav")))
        elif path.suffix.lower() == ".wav" and path.is_file():
            audio.append(path)
        else:
            p.error(f"{path} is not a WAV file or a folder of WAV files")
    if text_lines is None and not audio:
        p.error("no caller audio: give WAV files, a folder of them, or --text FILE")
    if scenario is None and audio:
        folder = audio[0].parent.name
        if (SCENARIO_DIR / f"{folder}.txt").exists():
            scenario = load_scenario(a.scenario or folder)
    out = a.out or Path("runs") / time.strftime("%Y%m%d-%H%M%S")
    return SimOptions(
        audio=audio,
        text_lines=text_lines,
        llm=a.llm,
        scenario=scenario,
        out=out,
        database_url=a.database_url,
        start_agent=a.start_agent,
        turn_timeout_s=a.turn_timeout,
    )


def _read_text(p: argparse.ArgumentParser, path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        p.error(f"cannot read {path}: {exc}")
        raise


def _local_llm_reachable(settings: Settings) -> bool:
    try:
        with urllib.request.urlopen(settings.local_llm_url.rstrip("/") + "/models", timeout=3) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def main(argv: list[str]) -> int:
    """Entry of ``python -m worker simulate``; returns the process exit status."""
    opts = _parse(argv)
    settings = Settings(provider_profile="local")
    configure_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    if opts.llm == "local" and not _local_llm_reachable(settings):
        print(
            f"simulate: no LLM server at {settings.local_llm_url}. Start it with "
            "'bash scripts/setup_local_llm.sh start', set LOCAL_LLM_URL, or use --llm scripted.",
            file=sys.stderr,
        )
        return 2
    report = asyncio.run(run_simulation(opts, settings))
    print(format_transcript(report))
    print(
        f"\nreport: {opts.out / 'report.json'}"
        + (f"\nagent audio: {opts.out / 'agent.wav'}" if opts.text_lines is None else "")
    )
    status = 0
    turns: list[dict[str, Any]] = report["turns"]  # type: ignore[assignment]
    timed_out = [t["caller_input"] for t in turns if t["timed_out"]]
    if timed_out:
        print(f"\nFAILED: {len(timed_out)} turn(s) timed out: {timed_out}")
        status = 1
    if opts.scenario is not None:
        checks = evaluate(opts.scenario, report)
        report["expectations"] = [{**asdict(c), "ok": c.ok} for c in checks]
        (opts.out / "report.json").write_text(json.dumps(report, indent=2))
        print("\n" + format_outcome(opts.scenario, checks))
        if any(not c.ok for c in checks):
            status = 1
    return status
