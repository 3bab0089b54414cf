"""Load test: N concurrent calls in LiveKit's own job processes, fake providers; the desk beside bare livekit-agents.

    python -m benchmarks.load_test        # voice 1, 10; text 1, 10, 20; desk and bare at each N (~7 min on 2 cores)
    python -m benchmarks.load_test --sizes 1,5,10,20,40 --text-sizes 1,5,10,20,40 --preload-sizes 10   # full grid
    python -m benchmarks.load_test --sizes 1 --text-sizes 1 --turns 1 --tts-ms-per-char 10 --parallel 4  # smoke

Writes ``runs/bench/load_test.json`` (``--out``) and prints a table, then the headline rows (desk, bare
baseline at the same N, ratio). Exits 1, saying so, when any call errored.

What runs: for each batch (a variant, a mode and a size N) a fresh process starts LiveKit's
``AgentServer`` unregistered (no LiveKit server needed) with N warm job processes, then launches N fake
jobs with ``AgentServer.simulate_job`` — the same process pool, forkserver, prewarm and job executor as
``python -m worker start``, but a mock room. Each job plays one caller through its session in real time,
the first ``--turns`` caller lines of the bundled call ``samples/calls/return_jacket``, with a scripted
LLM whose every reply comes after a simulated time to first token (``--ttft``) and a fake TTS of the
exact ``tts.TTS`` interface that produces the audio frames of a realistic speaking rate, played out in
real time. Modes:

* ``voice`` — the caller's WAV files through the real Silero VAD and LiveKit's ``v1-mini`` end-of-turn
  model (the production turn handling), a fake STT of the exact ``stt.STT`` interface that returns the
  line the caller said (``script.txt``) after a simulated latency.
* ``text`` — the scripted variant: each caller line arrives as text (what the STT would have produced),
  no audio in, no VAD, no end-of-turn model (``turn_detection="manual"``, as a text session of the desk);
  the desk's turns go through ``agents.turns.send_caller_text`` (code first, the LLM only when code does
  not answer), the bare agent's through ``session.run(user_input=...)``. The agent's audio still plays.

Variants:

* ``desk`` — our desk: ``worker.session.build_session`` + ``start_call`` at the authentication agent,
  with its database (a copy of a seeded SQLite file per call), code-led steps and agents.
* ``desk-preload`` — the same with LiveKit's ``preload_modules`` naming the desk, so its imports are
  done once in the forkserver and shared by every job process (copy-on-write). Voice only.
* ``bare`` — the baseline: a bare ``AgentSession`` with one plain ``Agent``, same models and audio. Its job
  processes import nothing of the desk (this module loads the two small helpers it shares with the desk,
  ``worker/offline/speech/wav_io.py`` and ``worker/testing/fake_tts.py``, from their files, without their
  packages, whose ``__init__`` would import the desk).

Measured per call, in the job process: CPU seconds (user + system, all threads) from the start of
the entrypoint to the session's close, and the peak proportional (PSS) and private (USS) memory
sampled every second; per batch, in the parent: the PSS/USS of the warm idle job processes before
any call, the CPU of the worker's main process, errors (jobs that never reported, turns that timed
out, session error events, ERROR log records forwarded from the jobs while the calls ran; those of
the server's shutdown afterwards are kept apart in the JSON) and the response latency of every turn:
end of the caller's audio (voice) or the moment the caller's text is sent (text) to the agent's first
audio. LiveKit's memory limit (``job_memory_limit_mb``) is compared against PSS on Linux.

Calls per core = the calls' total duration divided by the CPU seconds they used (job processes plus
the worker's share): how many calls one fully busy core carries in real time. It is only meaningful
while the machine is not saturated (a saturated machine stretches the calls and inflates it).

``--parallel K`` runs K batches at once: for the smoke run only (the batches then disturb each other's
figures; the calls are real time, so the run is mostly waiting).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import importlib.util
import itertools
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402  (after the path set-up: the job processes import this module by name)
from livekit.agents import (  # noqa: E402
    Agent,
    AgentServer,
    AgentSession,
    APIConnectOptions,
    JobContext,
    JobProcess,
    inference,
    llm,
    stt,
    utils,
)
from livekit.agents.language import LanguageCode  # noqa: E402
from livekit.agents.llm import ChatChunk, ChatContext, ChoiceDelta  # noqa: E402
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr  # noqa: E402
from livekit.agents.voice.turn import TurnHandlingOptions  # noqa: E402

from benchmarks.common import Headline, finish, machine  # noqa: E402  (stdlib only: cheap in a job process)


def _standalone(name: str, relpath: str) -> ModuleType:
    """Load the module file ``relpath`` (under the repository root) as ``name``, without importing the
    packages above it: ``worker.testing``'s and ``worker.offline.speech``'s ``__init__`` import the desk
    (and Whisper and Piper), which would be in every ``bare`` job process and spoil the baseline."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / relpath)
    assert spec is not None and spec.loader is not None, relpath
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # before exec: its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:
    from worker.offline.speech.wav_io import WavAgentOutput, WavCallerInput
    from worker.testing.fake_tts import SilentTTS
else:
    _wav_io = _standalone("benchmarks._wav_io", "worker/offline/speech/wav_io.py")
    WavAgentOutput, WavCallerInput = _wav_io.WavAgentOutput, _wav_io.WavCallerInput
    SilentTTS = _standalone("benchmarks._fake_tts", "worker/testing/fake_tts.py").SilentTTS

CALL_DIR = ROOT / "samples" / "calls" / "return_jacket"
DEFAULT_OUT = ROOT / "runs" / "bench" / "load_test.json"
CONFIG_ENV = "LOAD_TEST_CONFIG"
"""Environment variable with the path of the batch's :class:`Config` (read by the job processes)."""
VARIANTS = ("desk", "desk-preload", "bare")
MODES = ("voice", "text")
SMOKE_ARGS: list[str] = ["--sizes", "1", "--text-sizes", "1", "--turns", "1", "--tts-ms-per-char", "10"]
SMOKE_ARGS += ["--parallel", "4"]
"""Tiny sizes for the CI smoke run: one call per variant and mode, one caller turn (about 40 s on 2 cores)."""
VOICE_ARGS: list[str] = ["--text-sizes", ""]
"""Arguments for the voice batches only (``python -m benchmarks load_voice``)."""
SETTLE_S = 1.0
"""The agent's turn is over when it has been listening this long after its reply."""

REPLIES = (
    "I can help with that return. First, may I have your first name?",
    "Thanks. And what phone number is on the account?",
    "Thank you. Let me check that for you, one moment please.",
    "Is there anything else I can help you with today?",
)
"""The scripted LLM's replies, in order (the desk asks the LLM only on turns code does not lead)."""
GREETING = "Hello, thanks for calling the marketplace help desk. How can I help you today?"
"""The bare agent's greeting (the desk greets with its own code-led line)."""


@dataclass
class Config:
    """What every job of a batch needs (written as JSON, read by the job processes).

    Attributes:
        variant: ``desk``, ``desk-preload`` or ``bare``.
        mode: ``voice`` (WAV files through VAD, turn detector and fake STT) or ``text`` (the lines as text).
        size: Concurrent calls of the batch.
        turns: Caller turns per call (the first ``turns`` WAV files of :data:`CALL_DIR`).
        ttft_s: The scripted LLM's time to first token, seconds.
        stt_latency_s: Seconds the fake STT takes per utterance (a cloud STT's final-transcript delay).
        tts_ttfb_s: Seconds before the fake TTS's first audio.
        tts_ms_per_char: Milliseconds of audio per character of text (65 ≈ 150 words a minute).
        turn_timeout_s: A turn not settled by then counts as an error.
        run_dir: Where the jobs write their results (and the desk its database copies).
        db_template: Seeded SQLite file the desk copies per call.
    """

    variant: str
    size: int
    turns: int
    ttft_s: float
    stt_latency_s: float
    tts_ttfb_s: float
    tts_ms_per_char: float
    turn_timeout_s: float
    run_dir: str
    db_template: str = ""
    mode: str = "voice"

    @staticmethod
    def load() -> Config:
        """The batch's config, from the file named by :data:`CONFIG_ENV`."""
        return Config(**json.loads(Path(os.environ[CONFIG_ENV]).read_text()))


# ---------------------------------------------------------------------------------------------------
# Fake providers of LiveKit's exact interfaces
# ---------------------------------------------------------------------------------------------------


class TimedLLM(llm.LLM):
    """An ``llm.LLM`` that answers each request with the next of ``replies`` (cycling), streamed word by
    word after ``ttft_s`` seconds: the model's time to first token, without a model."""

    def __init__(self, replies: tuple[str, ...], *, ttft_s: float) -> None:
        super().__init__()
        self._replies = itertools.cycle(replies)
        self._ttft_s = ttft_s
        self.requests = 0

    @property
    def model(self) -> str:
        return f"timed-{self._ttft_s:.2f}s"

    @property
    def provider(self) -> str:
        return "load-test"

    def chat(
        self,
        *,
        chat_ctx: ChatContext,
        tools: list[llm.Tool] | None = None,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        parallel_tool_calls: NotGivenOr[bool] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        extra_kwargs: NotGivenOr[dict[str, Any]] = NOT_GIVEN,
    ) -> llm.LLMStream:
        self.requests += 1
        return _TimedStream(
            self, text=next(self._replies), ttft_s=self._ttft_s, chat_ctx=chat_ctx, tools=tools or [], conn=conn_options
        )


class _TimedStream(llm.LLMStream):
    def __init__(
        self,
        llm_: TimedLLM,
        *,
        text: str,
        ttft_s: float,
        chat_ctx: ChatContext,
        tools: list[llm.Tool],
        conn: APIConnectOptions,
    ) -> None:
        super().__init__(llm_, chat_ctx=chat_ctx, tools=tools, conn_options=conn)
        self._text = text
        self._ttft_s = ttft_s

    async def _run(self) -> None:
        await asyncio.sleep(self._ttft_s)
        request_id = utils.shortuuid("timed_")
        for i, word in enumerate(self._text.split(" ")):
            piece = word if i == 0 else " " + word
            self._event_ch.send_nowait(ChatChunk(id=request_id, delta=ChoiceDelta(role="assistant", content=piece)))


class ScriptedSTT(stt.STT):
    """A non-streaming ``stt.STT`` (the session pairs it with the real VAD, as with Whisper): the first
    utterance after :meth:`expect` is transcribed as the expected line, after ``latency_s``; any
    further utterance of the same caller turn comes back empty (ignored by the session)."""

    def __init__(self, *, latency_s: float) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        self._latency_s = latency_s
        self._pending = ""
        self.utterances = 0

    @property
    def model(self) -> str:
        return "scripted"

    @property
    def provider(self) -> str:
        return "load-test"

    def expect(self, text: str) -> None:
        """The line the caller is about to say."""
        self._pending = text

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        await asyncio.sleep(self._latency_s)
        self.utterances += 1
        text, self._pending = self._pending, ""
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            alternatives=[stt.SpeechData(language=LanguageCode("en"), text=text)],
        )


TTS_SAMPLE_RATE = 24_000
"""Hz of the fake TTS (what the cloud voices deliver)."""


# ---------------------------------------------------------------------------------------------------
# One call, in a job process
# ---------------------------------------------------------------------------------------------------


def turn_handling() -> TurnHandlingOptions:
    """The production offline turn handling: LiveKit's ``v1-mini`` end-of-turn model, VAD interruptions,
    endpointing 0.8–3.0 s (``worker.providers.local_turn_handling``), no preemptive generation."""
    return {
        "turn_detection": inference.TurnDetector(version="v1-mini"),
        "interruption": {"mode": "vad"},
        "endpointing": {"min_delay": 0.8, "max_delay": 3.0},
        "preemptive_generation": {"enabled": False},
    }


@dataclass
class Fakes:
    """The providers of one call."""

    llm: TimedLLM
    stt: ScriptedSTT
    tts: SilentTTS

    @staticmethod
    def from_config(cfg: Config) -> Fakes:
        """Providers with the batch's simulated latencies."""
        return Fakes(
            llm=TimedLLM(REPLIES, ttft_s=cfg.ttft_s),
            stt=ScriptedSTT(latency_s=cfg.stt_latency_s),
            tts=SilentTTS(
                sample_rate=TTS_SAMPLE_RATE, ttfb_s=cfg.tts_ttfb_s, ms_per_char=cfg.tts_ms_per_char, min_ms=200
            ),
        )


@dataclass
class CallParts:
    """A call's session, as a variant builds it.

    Attributes:
        session: Not started.
        start: Starts the session (its first agent greets).
        cleanup: Awaited after the session closed (the desk closes its database).
        send_text: Delivers one typed caller line and waits for the answer (text mode).
    """

    session: AgentSession[Any]
    start: Callable[[], Awaitable[None]]
    cleanup: Callable[[], Awaitable[None]]
    send_text: Callable[[str], Awaitable[Any]]


Builder = Callable[[JobContext, Config, Fakes], Awaitable[CallParts]]
"""Builds a call's session."""


def speech_kwargs(ctx: JobContext, cfg: Config, fakes: Fakes) -> dict[str, Any]:
    """The session's speech arguments for ``cfg.mode``: voice has the fake STT, the prewarmed VAD and the
    production turn handling; text has no STT, no VAD and manual turns (no end-of-turn model loaded),
    as the desk's own text sessions (``worker.session.build_session`` with no STT)."""
    if cfg.mode == "text":
        return {"tts": fakes.tts, "turn_handling": {"turn_detection": "manual"}, "aec_warmup_duration": None}
    return {
        "stt": fakes.stt,
        "tts": fakes.tts,
        "vad": ctx.proc.userdata["vad"],
        "turn_handling": turn_handling(),
        "aec_warmup_duration": None,
    }


class CallMonitor:
    """Agent state, replies and errors of a session, to know when a turn is over."""

    def __init__(self, session: AgentSession[Any]) -> None:
        self.agent_state = "initializing"
        self.replies = 0
        self.last_change = time.monotonic()
        self.speaking_started: list[float] = []
        self.errors: list[str] = []
        self._changed = asyncio.Event()
        session.on("agent_state_changed", self._on_state)
        session.on("conversation_item_added", self._on_item)
        session.on("error", self._on_error)

    def _touch(self) -> None:
        self.last_change = time.monotonic()
        self._changed.set()

    def _on_state(self, ev: Any) -> None:
        self.agent_state = str(ev.new_state)
        if self.agent_state == "speaking":
            self.speaking_started.append(time.monotonic())
        self._touch()

    def _on_item(self, ev: Any) -> None:
        if getattr(ev.item, "role", None) == "assistant":
            self.replies += 1
        self._touch()

    def _on_error(self, ev: Any) -> None:
        self.errors.append(f"{type(ev.error).__name__}: {str(ev.error)[:160]}")

    async def settled(self, *, replies_before: int, timeout_s: float) -> bool:
        """Wait until the agent replied and has been listening for :data:`SETTLE_S`; False on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            listening = self.agent_state in ("listening", "idle")
            if listening and self.replies > replies_before and time.monotonic() - self.last_change >= SETTLE_S:
                return True
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=0.2)
        return False


def memory_mb(proc: psutil.Process) -> dict[str, float]:
    """PSS and USS of ``proc`` in MB (what LiveKit's memory limit and "private memory" mean)."""
    info = proc.memory_full_info()
    return {"pss": round(info.pss / 2**20, 1), "uss": round(info.uss / 2**20, 1), "rss": round(info.rss / 2**20, 1)}


async def _sample_peak(proc: psutil.Process, peak: dict[str, float]) -> None:
    while True:
        await asyncio.sleep(1.0)
        for key, value in memory_mb(proc).items():
            peak[key] = max(peak.get(key, 0.0), value)


def call_lines(turns: int) -> list[tuple[Path, str]]:
    """The first ``turns`` caller turns of the bundled recording: ``(wav, what was said)``."""
    lines = (CALL_DIR / "script.txt").read_text().splitlines()
    wavs = sorted(CALL_DIR.glob("*.wav"))
    return list(zip(wavs, lines, strict=False))[:turns]


def job_name(ctx: JobContext) -> str:
    """The job's room name as ``simulate_job`` gave it (unique per call of a batch); the name of LiveKit's
    mock room (``ctx.room.name``) is ``"console"`` for every fake job."""
    return ctx.job.room.name or ctx.job.id


async def run_job(ctx: JobContext, build: Builder) -> None:
    """Play one call through the session ``build`` makes, measure it, write ``<room>.json``, end the job."""
    cfg = Config.load()
    me = psutil.Process()
    started_mem = memory_mb(me)
    cpu0 = me.cpu_times()
    t0 = time.monotonic()
    peak = dict(started_mem)
    sampler = asyncio.create_task(_sample_peak(me, peak))
    name = job_name(ctx)
    result: dict[str, Any] = {"room": name, "pid": os.getpid(), "mode": cfg.mode, "turns": [], "errors": []}
    fakes = Fakes.from_config(cfg)
    voice = cfg.mode == "voice"
    caller = WavCallerInput() if voice else None
    speaker = WavAgentOutput(Path(cfg.run_dir) / f"{name}.wav", timeline=False)
    parts: CallParts | None = None
    try:
        parts = await build(ctx, cfg, fakes)
        if caller is not None:
            parts.session.input.audio = caller
        parts.session.output.audio = speaker
        monitor = CallMonitor(parts.session)
        await parts.start()
        if not await monitor.settled(replies_before=0, timeout_s=cfg.turn_timeout_s):
            result["errors"].append("greeting did not settle")
        for wav, line in call_lines(cfg.turns):
            before, requests_before = monitor.replies, fakes.llm.requests
            if caller is not None:
                fakes.stt.expect(line)
                await caller.play(wav)
                end = time.monotonic()
            else:
                end = time.monotonic()
                try:
                    await asyncio.wait_for(parts.send_text(line), timeout=cfg.turn_timeout_s)
                except TimeoutError:
                    result["errors"].append(f"text turn {wav.stem} not answered in {cfg.turn_timeout_s} s")
            done = await monitor.settled(replies_before=before, timeout_s=cfg.turn_timeout_s)
            first = next((t for t in monitor.speaking_started if t > end), None)
            result["turns"].append(
                {
                    "wav": wav.name,
                    "latency_s": None if first is None else round(first - end, 3),
                    "timed_out": not done,
                    "llm": fakes.llm.requests > requests_before,  # the LLM was asked (else code answered)
                }
            )
        result["errors"].extend(monitor.errors)
        result["llm_requests"] = fakes.llm.requests
    except Exception as exc:  # the batch reports it; one failed call must not hide the others' figures
        result["errors"].append(f"{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        if parts is not None:
            await parts.session.aclose()
        if caller is not None:
            await caller.aclose()
        speaker.close()
        if parts is not None:
            with contextlib.suppress(Exception):
                await parts.cleanup()
        sampler.cancel()
    cpu1 = me.cpu_times()
    result.update(
        wall_s=round(time.monotonic() - t0, 2),
        cpu_s=round((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), 3),
        memory_at_start_mb=started_mem,
        memory_peak_mb=peak,
    )
    _write_result(Path(cfg.run_dir) / f"{name}.json", result, recording=speaker.path)
    ctx.shutdown(reason="call finished")


def _write_result(path: Path, result: dict[str, Any], *, recording: Path) -> None:
    path.write_text(json.dumps(result))
    recording.unlink(missing_ok=True)  # the agent's audio is not needed, only that it played


async def _bare_session(ctx: JobContext, cfg: Config, fakes: Fakes) -> CallParts:
    session: AgentSession[Any] = AgentSession(llm=fakes.llm, **speech_kwargs(ctx, cfg, fakes))

    class Bare(Agent):
        async def on_enter(self) -> None:
            self.session.say(GREETING)

    async def start() -> None:
        await session.start(Bare(instructions="You are a helpful customer service agent."), record=False)

    async def cleanup() -> None:
        return None

    async def send_text(text: str) -> None:
        await session.run(user_input=text)

    return CallParts(session, start, cleanup, send_text)


async def bare_call(ctx: JobContext) -> None:
    """Job entrypoint of the ``bare`` variant: a bare ``AgentSession`` with one plain agent."""
    await run_job(ctx, _bare_session)


def prewarm(proc: JobProcess) -> None:
    """As the worker's prewarm (``worker.server.prewarm``, cloud profile): Silero VAD loaded once per process."""
    from livekit.plugins import silero

    proc.userdata["vad"] = silero.VAD.load()


# ---------------------------------------------------------------------------------------------------
# One batch (its own process: a fresh forkserver and process pool)
# ---------------------------------------------------------------------------------------------------


class _ErrorCounter(logging.Handler):
    """Counts ERROR records, the job processes' included (LiveKit forwards their logs to the worker)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()[:1500]}")


LIVEKIT_INTERNAL = ("livekit.agents: event loop watchdog failed",)
"""ERROR records that are LiveKit's own failures, not a call's: its loop monitor's watchdog thread raised while
sampling the stack of an event loop that CPU contention had already delayed (``telemetry/loop_monitor.py``).
They are counted and shown apart (``livekit_internal_errors``); the call's own checks still count."""


def is_livekit_internal(message: str) -> bool:
    """Whether an ERROR record's text is one of :data:`LIVEKIT_INTERNAL`."""
    return message.startswith(LIVEKIT_INTERNAL)


def _descendants_memory(parent: psutil.Process) -> list[dict[str, float]]:
    """PSS/USS of the warm job processes: the forkserver's children (the forkserver is ours)."""
    found = []
    for child in parent.children():
        with contextlib.suppress(psutil.Error):
            if "forkserver" in " ".join(child.cmdline()):
                for job in child.children():
                    with contextlib.suppress(psutil.Error):
                        found.append(memory_mb(job))
    return found


def _results(run_dir: Path) -> list[Path]:
    """The result files the batch's jobs have written so far."""
    return sorted(run_dir.glob("*.json"))


async def run_batch(cfg: Config) -> dict[str, Any]:
    """Start an unregistered ``AgentServer`` with ``cfg.size`` warm processes, launch ``cfg.size`` fake
    jobs at once, wait for their results; returns the batch's raw figures."""
    errors = _ErrorCounter()
    logging.getLogger().addHandler(errors)
    logging.getLogger().setLevel(logging.WARNING)
    # As worker/app.py does: plugins registered in the main process are preloaded in the forkserver.
    for plugin in ("silero", "openai", "deepgram", "elevenlabs"):
        importlib.import_module(f"livekit.plugins.{plugin}")
    if cfg.variant == "bare":
        entrypoint: Callable[[JobContext], Awaitable[None]] = bare_call
        preload: list[str] = []
    else:
        from benchmarks import load_test_desk

        entrypoint = load_test_desk.desk_call
        preload = ["benchmarks.load_test_desk"] if cfg.variant == "desk-preload" else []
    server = AgentServer(
        num_idle_processes=cfg.size,
        initialize_process_timeout=120,
        setup_fnc=prewarm,
        port=0,
        preload_modules=preload,
        job_memory_warn_mb=4000,
    )
    server.rtc_session(entrypoint, agent_name="load-test")
    ready = asyncio.Event()
    server.on("worker_started", lambda: ready.set())
    me = psutil.Process()
    spin_up = time.monotonic()
    run_task = asyncio.create_task(server.run(devmode=False, unregistered=True))
    await asyncio.wait({run_task, asyncio.create_task(ready.wait())}, return_when=asyncio.FIRST_COMPLETED)
    spin_up_s = time.monotonic() - spin_up
    await asyncio.sleep(2.0)  # let the warm processes settle after prewarm
    idle = _descendants_memory(me)
    cpu0, t0 = me.cpu_times(), time.monotonic()
    run_dir = Path(cfg.run_dir)
    for i in range(cfg.size):
        await server.simulate_job(f"{cfg.variant}-{i}-of-{cfg.size}", fake_job=True)
    deadline = time.monotonic() + cfg.turn_timeout_s * (cfg.turns + 2) + 60
    for _ in itertools.count():
        if time.monotonic() > deadline or len(_results(run_dir)) >= cfg.size:
            break
        await asyncio.sleep(0.5)
    wall = time.monotonic() - t0
    cpu1 = me.cpu_times()
    during_calls = len(errors.messages)
    await server.aclose()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(run_task, timeout=30)
    calls = [json.loads(p.read_text()) for p in _results(run_dir)]
    return {
        "variant": cfg.variant,
        "size": cfg.size,
        "spin_up_s": round(spin_up_s, 1),
        "batch_wall_s": round(wall, 1),
        "worker_cpu_s": round((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), 2),
        "idle_processes_mb": idle,
        "calls": calls,
        "error_logs": errors.messages[:during_calls][:200],
        "error_log_count": during_calls,
        "teardown_error_logs": errors.messages[during_calls:][:20],
    }


# ---------------------------------------------------------------------------------------------------
# The whole run: batches in fresh processes, then the table
# ---------------------------------------------------------------------------------------------------


@dataclass
class Summary:
    """One row of the table."""

    variant: str
    size: int
    ok: int
    errors: int
    call_wall_s: float
    cpu_per_call_s: float
    worker_cpu_per_call_s: float
    calls_per_core: float
    idle_pss_mb: float
    idle_uss_mb: float
    call_pss_mb: float
    call_uss_mb: float
    max_call_pss_mb: float
    latency_p50_s: float | None
    latency_p95_s: float | None
    error_samples: list[str] = field(default_factory=list)
    mode: str = "voice"
    llm_requests_per_call: float = 0.0
    llm_latency_p50_s: float | None = None
    livekit_internal_errors: int = 0

    @staticmethod
    def failed(variant: str, mode: str, size: int, why: str) -> Summary:
        """The row of a batch that produced no figures (every call counts as an error)."""
        return Summary(variant, size, 0, size, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, None, [why], mode)


def _mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 1) if values else 0.0


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)


def summarize(batch: dict[str, Any]) -> Summary:
    """Figures of one batch (see the module docstring for their meaning)."""
    calls: list[dict[str, Any]] = batch["calls"]
    size: int = batch["size"]
    missing = size - len(calls)
    call_errors = [e for c in calls for e in c["errors"]]
    timed_out = sum(1 for c in calls for t in c["turns"] if t["timed_out"])
    internal = sum(1 for m in batch["error_logs"] if is_livekit_internal(m))
    call_logs = [m for m in batch["error_logs"] if not is_livekit_internal(m)]
    errors = missing + len(call_errors) + timed_out + batch["error_log_count"] - internal
    ok = sum(1 for c in calls if not c["errors"] and not any(t["timed_out"] for t in c["turns"]))
    cpu = [c["cpu_s"] for c in calls]
    wall = [c["wall_s"] for c in calls]
    worker_share = batch["worker_cpu_s"] / max(1, len(calls))
    total_cpu = sum(cpu) + batch["worker_cpu_s"]
    latencies = [t["latency_s"] for c in calls for t in c["turns"] if t["latency_s"] is not None]
    llm_latencies = [t["latency_s"] for c in calls for t in c["turns"] if t["latency_s"] is not None and t["llm"]]
    samples = [f"{missing} call(s) never reported"] if missing else []
    samples += call_errors[:3] + [f"{timed_out} turn(s) timed out"] * bool(timed_out) + call_logs[:3]
    return Summary(
        variant=batch["variant"],
        size=size,
        ok=ok,
        errors=errors,
        call_wall_s=_mean(wall),
        cpu_per_call_s=round(statistics.fmean(cpu), 2) if cpu else 0.0,
        worker_cpu_per_call_s=round(worker_share, 2),
        calls_per_core=round(sum(wall) / total_cpu, 1) if total_cpu else 0.0,
        idle_pss_mb=_mean([m["pss"] for m in batch["idle_processes_mb"]]),
        idle_uss_mb=_mean([m["uss"] for m in batch["idle_processes_mb"]]),
        call_pss_mb=_mean([c["memory_peak_mb"]["pss"] for c in calls]),
        call_uss_mb=_mean([c["memory_peak_mb"]["uss"] for c in calls]),
        max_call_pss_mb=max((c["memory_peak_mb"]["pss"] for c in calls), default=0.0),
        latency_p50_s=_quantile(latencies, 0.5),
        latency_p95_s=_quantile(latencies, 0.95),
        error_samples=samples,
        mode=batch.get("mode", "voice"),
        llm_requests_per_call=_mean([c.get("llm_requests", 0) for c in calls]),
        llm_latency_p50_s=_quantile(llm_latencies, 0.5),
        livekit_internal_errors=internal,
    )


HEADER = (
    f"{'variant':<13}{'mode':<6}{'N':>4}{'ok':>5}{'err':>5}{'call s':>8}{'CPU/call s':>11}{'worker/call':>12}"
    f"{'calls/core':>11}{'idle PSS/USS MB':>17}{'call PSS/USS MB':>17}{'max PSS':>9}{'lat p50/p95 s':>15}"
    f"{'LLM/call':>9}"
)


def format_row(s: Summary) -> str:
    """One line of the table."""
    latency = f"{s.latency_p50_s}/{s.latency_p95_s}" if s.latency_p50_s is not None else "n/a"
    return (
        f"{s.variant:<13}{s.mode:<6}{s.size:>4}{s.ok:>5}{s.errors:>5}{s.call_wall_s:>8.1f}{s.cpu_per_call_s:>11.2f}"
        f"{s.worker_cpu_per_call_s:>12.2f}{s.calls_per_core:>11.1f}"
        f"{f'{s.idle_pss_mb:.0f}/{s.idle_uss_mb:.0f}':>17}{f'{s.call_pss_mb:.0f}/{s.call_uss_mb:.0f}':>17}"
        f"{s.max_call_pss_mb:>9.0f}{latency:>15}{s.llm_requests_per_call:>9.1f}"
    )


def _seed_database(path: Path) -> None:
    """A seeded SQLite file for the desk's calls to copy (seeding is not part of a call)."""
    from services import open_services

    async def seed() -> None:
        services = await open_services(f"sqlite+aiosqlite:///{path}", salt="load-test-salt")
        await services.close()

    asyncio.run(seed())


def _parse_sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


@dataclass
class Timings:
    """The simulated provider latencies and call length shared by every batch of a run (see :class:`Config`)."""

    turns: int = 2
    ttft_s: float = 0.6
    stt_latency_s: float = 0.25
    tts_ttfb_s: float = 0.2
    tts_ms_per_char: float = 65.0
    turn_timeout_s: float = 30.0


def add_timing_args(p: argparse.ArgumentParser, *, turns: int = 2) -> None:
    """The command-line options of :class:`Timings` (shared with :mod:`benchmarks.memory_uss`)."""
    p.add_argument("--turns", type=int, default=turns, help="caller turns per call (of the bundled recording's 12)")
    p.add_argument("--ttft", type=float, default=0.6, help="scripted LLM time to first token, s")
    p.add_argument("--stt-latency", type=float, default=0.25, help="fake STT final-transcript delay, s")
    p.add_argument("--tts-ttfb", type=float, default=0.2, help="fake TTS time to first audio, s")
    p.add_argument("--tts-ms-per-char", type=float, default=65.0, help="fake TTS speaking rate, ms of audio per char")
    p.add_argument("--turn-timeout", type=float, default=30.0, help="a turn not settled by then is an error, s")
    p.add_argument("--parallel", type=int, default=1, help="batches at once (smoke runs only: they disturb each other)")


def timings_from(a: argparse.Namespace) -> Timings:
    """The :class:`Timings` of parsed :func:`add_timing_args` options."""
    return Timings(a.turns, a.ttft, a.stt_latency, a.tts_ttfb, a.tts_ms_per_char, a.turn_timeout)


def _run_one(cfg: Config) -> dict[str, Any] | str:
    cfg_path = Path(cfg.run_dir).with_suffix(".config.json")
    cfg_path.write_text(json.dumps(asdict(cfg)))
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.load_test", "--batch", str(cfg_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        return f"batch failed (exit {proc.returncode}): {proc.stderr[-400:]}"
    batch: dict[str, Any] = json.loads(lines[-1])
    batch["mode"] = cfg.mode
    return batch


def run_plan(
    plan: list[tuple[str, str, int]],
    timings: Timings,
    *,
    parallel: int = 1,
    on_row: Callable[[Summary], None] | None = None,
) -> tuple[list[Summary], list[dict[str, Any]]]:
    """Run the batches of ``plan``, each in a fresh process.

    Args:
        plan: ``(variant, mode, size)`` per batch (:data:`VARIANTS`, :data:`MODES`, concurrent calls).
        timings: Simulated provider latencies and call length.
        parallel: Batches at once (1 for figures worth keeping).
        on_row: Called with each batch's summary as soon as it is known (in plan order).

    Returns:
        The summaries in plan order (a failed batch has a :meth:`Summary.failed` row) and the raw batches.
    """
    with tempfile.TemporaryDirectory(prefix="load-test-") as tmp:
        template = Path(tmp) / "seeded.db"
        if any(variant != "bare" for variant, _, _ in plan):
            _seed_database(template)
        configs = []
        for variant, mode, size in plan:
            run_dir = Path(tmp) / f"{variant}-{mode}-{size}"
            run_dir.mkdir()
            configs.append(
                Config(
                    variant=variant,
                    size=size,
                    turns=timings.turns,
                    ttft_s=timings.ttft_s,
                    stt_latency_s=timings.stt_latency_s,
                    tts_ttfb_s=timings.tts_ttfb_s,
                    tts_ms_per_char=timings.tts_ms_per_char,
                    turn_timeout_s=timings.turn_timeout_s,
                    run_dir=str(run_dir),
                    db_template=str(template),
                    mode=mode,
                )
            )
        summaries: list[Summary] = []
        raw: list[dict[str, Any]] = []
        with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
            for cfg, outcome in zip(configs, pool.map(_run_one, configs), strict=True):
                if isinstance(outcome, str):
                    summaries.append(Summary.failed(cfg.variant, cfg.mode, cfg.size, outcome))
                else:
                    raw.append(outcome)
                    summaries.append(summarize(outcome))
                if on_row is not None:
                    on_row(summaries[-1])
    return summaries, raw


def _find(summaries: list[Summary], variant: str, mode: str, size: int) -> Summary | None:
    return next((s for s in summaries if (s.variant, s.mode, s.size) == (variant, mode, size) and s.ok), None)


def headline(summaries: list[Summary]) -> list[Headline]:
    """Desk beside bare at every mode and N where both ran: CPU s per call, calls per core, latency p50/p95 of
    every turn and p50 of the turns where the LLM was asked (the desk's code answers some turns itself)."""
    rows: list[Headline] = []
    for mode in MODES:
        sizes = sorted({s.size for s in summaries if s.mode == mode and s.variant == "desk"})
        for n in sizes:
            desk, bare = _find(summaries, "desk", mode, n), _find(summaries, "bare", mode, n)
            if desk is None or bare is None:
                continue
            rows += [
                Headline.of(f"{mode} N={n}: CPU per call", desk.cpu_per_call_s, bare.cpu_per_call_s, "s"),
                Headline.of(f"{mode} N={n}: calls per core", desk.calls_per_core, bare.calls_per_core, "calls"),
                Headline.of(f"{mode} N={n}: response latency p50", desk.latency_p50_s, bare.latency_p50_s, "s"),
                Headline.of(f"{mode} N={n}: response latency p95", desk.latency_p95_s, bare.latency_p95_s, "s"),
            ]
            if desk.llm_latency_p50_s is not None and bare.llm_latency_p50_s is not None:
                rows.append(
                    Headline.of(
                        f"{mode} N={n}: latency p50, LLM turns", desk.llm_latency_p50_s, bare.llm_latency_p50_s, "s"
                    )
                )
    return rows


def report_internal(summaries: list[Summary]) -> None:
    """Print the LiveKit-internal ERROR records (:data:`LIVEKIT_INTERNAL`), which are not counted as errors."""
    for s in summaries:
        if s.livekit_internal_errors:
            print(
                f"note: {s.variant} {s.mode} N={s.size}: {s.livekit_internal_errors} LiveKit-internal ERROR record(s) "
                f"({LIVEKIT_INTERNAL[0]}; not a call error, the machine was busy)"
            )


def main(argv: list[str] | None = None) -> int:
    """Run every batch, print the table, write the JSON report. Returns 1 if a call failed."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.load_test",
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--sizes", type=_parse_sizes, default=[1, 10], help="concurrent calls of the voice batches")
    p.add_argument("--baseline-sizes", type=_parse_sizes, help="sizes of the bare voice baseline (default --sizes)")
    p.add_argument("--preload-sizes", type=_parse_sizes, default=[], help="sizes of the desk-preload variant (voice)")
    p.add_argument("--text-sizes", type=_parse_sizes, default=[1, 10, 20], help="sizes of the text batches (both)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--batch", metavar="CONFIG", help=argparse.SUPPRESS)  # internal: run one batch
    add_timing_args(p)
    a = p.parse_args(argv)
    if a.batch:
        os.environ[CONFIG_ENV] = a.batch
        raw = asyncio.run(run_batch(Config.load()))
        print(json.dumps(raw))
        return 0

    baseline_sizes = a.sizes if a.baseline_sizes is None else a.baseline_sizes
    plan = [("desk", "voice", n) for n in a.sizes] + [("bare", "voice", n) for n in baseline_sizes]
    plan += [("desk-preload", "voice", n) for n in a.preload_sizes]
    plan += [(v, "text", n) for n in a.text_sizes for v in ("desk", "bare")]
    info = machine()
    print(f"load test on {info['cores']} cores ({info['cpu']}), load average {info['load_average']}", flush=True)
    print(HEADER, flush=True)
    started = time.monotonic()
    summaries, raw_batches = run_plan(
        plan, timings_from(a), parallel=a.parallel, on_row=lambda s: print(format_row(s), flush=True)
    )
    errors = [f"{s.variant} {s.mode} N={s.size}: {sample}" for s in summaries if s.errors for sample in s.error_samples]
    errors += [f"{s.variant} {s.mode} N={s.size}: {s.errors} error(s)" for s in summaries if s.errors]
    info["load_average_after"] = machine()["load_average"]
    report = {
        "name": "load_test",
        "machine": info,
        "run_s": round(time.monotonic() - started, 1),
        "config": {k: v for k, v in vars(a).items() if k not in ("out", "batch")},
        "headline": [h.to_dict() for h in headline(summaries)],
        "errors": errors,
        "summary": [asdict(s) for s in summaries],
        "batches": raw_batches,
    }
    report_internal(summaries)
    print(f"\nrun took {report['run_s']:.0f}s; load average after {info['load_average_after']}\n")
    return finish("load_test", a.out, report)


if __name__ == "__main__":
    sys.exit(main())
