"""One trial: one scenario played once through the real ``AgentSession``, then graded.

The call runs offline on a fresh seeded SQLite database with the frozen clock of the test seam
(:data:`worker.testing.seam.FIXED_NOW`, so policy dates are reproducible), exactly as a caller would
meet it: code-led turns, the desk's model for the rest, real tools and services. Text scenarios type
the caller's lines (:func:`agents.turns.send_caller_text`); audio scenarios speak them with a second
voice (:mod:`evals.caller_voice`) through the offline VAD → STT → LLM → TTS pipeline of ``simulate``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livekit.agents import AgentSession, APIError, llm
from livekit.agents.llm import ChatMessage

from agents.prompts import text as prompt_text
from agents.turns import send_caller_text
from call.context import CustomerContext
from call.redaction import redact
from services import Clock, open_services
from tools.end_call import is_ending
from worker.observability import observe_call
from worker.offline.simulate import CallMonitor, build_audio_session
from worker.report import TurnTiming, build_report, diff_snapshots, format_transcript, snapshot
from worker.session import build_session, start_call
from worker.settings import Settings
from worker.testing import ScriptedLLM
from worker.testing.seam import FIXED_NOW, TEST_SALT, mark_verified

from .caller_voice import caller_wav
from .callers import Caller
from .grading import Check, grade
from .judge import judge_speech
from .measures import CallObserver, measure
from .scenario import Scenario

logger = logging.getLogger("marketplace.evals")


@dataclass(frozen=True)
class TrialSetup:
    """Everything one trial needs.

    Attributes:
        scenario: The scenario to play.
        trial: Trial number (1-based).
        desk_llm: Builds the desk's model for this call (a fresh one per trial).
        desk_label: The desk model's label for the report.
        caller: Builds the caller for this call.
        settings: The worker's settings (local profile for audio).
        out_dir: Where the trial's report, transcript (and agent audio) are written.
        turn_timeout_s: Seconds allowed per caller turn before the trial is failed.
        judge_llm: Builds the judge model, or ``None`` (judge checks are then "not run").
    """

    scenario: Scenario
    trial: int
    desk_llm: Callable[[], llm.LLM]
    desk_label: str
    caller: Callable[[Scenario], Caller]
    settings: Settings
    out_dir: Path
    turn_timeout_s: float = 180.0
    judge_llm: Callable[[], llm.LLM] | None = None


def _agent_lines(session: AgentSession[CustomerContext]) -> list[str]:
    return [
        i.text_content or ""
        for i in session.history.items
        if isinstance(i, ChatMessage) and i.role == "assistant" and i.text_content
    ]


class _Call:
    """The running call: its session, the caller's way in, and the turn timings."""

    def __init__(self, setup: TrialSetup, model: llm.LLM, ctx: CustomerContext, t0: float) -> None:
        self.setup = setup
        self.model = model
        self.ctx = ctx
        self.t0 = t0
        self.turns: list[TurnTiming] = []
        self.audio = setup.scenario.mode == "audio"
        self.monitor: CallMonitor | None = None
        self._closers: list[Any] = []
        if self.audio:
            self.session, self._mic, speaker = build_audio_session(
                setup.settings, model, ctx, setup.out_dir / "agent.wav", origin=t0
            )
            self._closers.append(speaker.close)
            self.monitor = CallMonitor(self.session)
        else:
            self.session = build_session(llm=model, userdata=ctx, settings=setup.settings)
            self.speaking = CallMonitor(self.session)  # when the desk starts speaking: the turn's response time

    async def start(self) -> None:
        observe_call(self.session)
        await start_call(self.session, start_agent=self.setup.scenario.start_agent, record=False)
        if self.monitor is not None:
            await self.monitor.wait_turn_done(assistant_before=0, user_before=None, timeout_s=self.setup.turn_timeout_s)
        else:
            await self.session.wait_for_idle()

    async def say(self, line: str) -> None:
        """One caller turn; raises ``TimeoutError`` when the desk did not finish within the turn timeout."""
        timeout = self.setup.turn_timeout_s
        code_before = self.ctx.code_turns
        if self.monitor is not None:
            wav = caller_wav(line)
            assistant_before, user_before = self.monitor.assistant_messages, self.monitor.user_messages
            start = time.monotonic()
            await self._mic.play(wav)
            end = time.monotonic()
            done = await self.monitor.wait_turn_done(
                assistant_before=assistant_before, user_before=user_before, timeout_s=timeout
            )
            done = done and await self.monitor.wait_settled(timeout)
            first = next((t for t in self.monitor.speaking_started if t > end), None)
            self.turns.append(
                TurnTiming(
                    redact(line[:60]),
                    round(start - self.t0, 3),
                    round(end - self.t0, 3),
                    None if first is None else round(first - self.t0, 3),
                    round(time.monotonic() - self.t0, 3),
                    timed_out=not done,
                    by_code=self.ctx.code_turns > code_before,
                )
            )
            if not done:
                raise TimeoutError
            return
        start = time.monotonic()
        try:
            result = await asyncio.wait_for(send_caller_text(self.session, line), timeout=timeout)
        except TimeoutError:
            self.turns.append(
                TurnTiming(
                    redact(line[:60]),
                    round(start - self.t0, 3),
                    round(start - self.t0, 3),
                    None,
                    round(time.monotonic() - self.t0, 3),
                    timed_out=True,
                    by_code=False,
                )
            )
            raise
        first = next((t for t in self.speaking.speaking_started if t > start), None)
        self.turns.append(
            TurnTiming(
                redact(line[:60]),
                round(start - self.t0, 3),
                round(start - self.t0, 3),
                None if first is None else round(first - self.t0, 3),
                round(time.monotonic() - self.t0, 3),
                timed_out=False,
                by_code=result.by_code,
            )
        )

    async def aclose(self) -> None:
        await self.session.aclose()
        if self.audio:
            await self._mic.aclose()
        for close in self._closers:
            close()


async def run_trial(setup: TrialSetup) -> dict[str, Any]:
    """Play and grade one trial; write ``report.json`` and ``transcript.txt`` in ``setup.out_dir``.

    Returns:
        The trial's entry of the results JSON (``passed``, ``checks``, ``measures``, ``transcript``,
        ``tool_calls``, ``db_diff``, ``turns``, ``error``...). A crash of the call is caught and
        reported as the trial's ``error`` (the trial fails); it never stops the suite.
    """
    scenario = setup.scenario
    setup.out_dir.mkdir(parents=True, exist_ok=True)
    model = setup.desk_llm()
    scripted = model if isinstance(model, ScriptedLLM) else None
    caller = setup.caller(scenario)
    mismatches: list[str] = []
    error: str | None = None
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="desk-eval-") as tmp:
        services = await open_services(
            f"sqlite+aiosqlite:///{Path(tmp) / 'marketplace.db'}", salt=TEST_SALT, clock=Clock(fixed=FIXED_NOW)
        )
        ctx = CustomerContext(
            services=services,
            channel="simulation",
            max_transfers=setup.settings.max_transfers_per_call,
            max_auth_attempts=setup.settings.max_auth_attempts,
        )
        ctx.current_agent = scenario.start_agent
        if scenario.verified_as is not None:
            mark_verified(ctx, scenario.verified_as)
        observer = CallObserver(ctx)
        call: _Call | None = None
        before: Any = {}
        after: Any = {}
        try:
            before = await snapshot(services.db)
            call = _Call(setup, model, ctx, time.monotonic())
            observer.attach(call.session)
            await call.start()
            heard_upto = 0
            index = 0
            while True:
                lines = _agent_lines(call.session)
                desk_said, heard_upto = lines[heard_upto:], len(lines)
                if is_ending(call.session):
                    break
                line = await caller.next_line(desk_said)
                if line is None:
                    break
                index += 1
                requests_before = len(scripted.requests) if scripted else 0
                if scripted is not None and index <= len(scenario.turns):
                    scripted.push(*scenario.turns[index - 1].desk)
                try:
                    await call.say(line)
                except TimeoutError:
                    error = f"turn {index} timed out after {setup.turn_timeout_s:.0f}s"
                    break
                if scripted is not None:
                    planned = len(scenario.turns[index - 1].desk) if index <= len(scenario.turns) else 0
                    made = len(scripted.requests) - requests_before
                    if made != planned or scripted.pending:
                        mismatches.append(f"turn {index}: {made} model request(s) for {planned} scripted reply(ies)")
                        scripted.clear()
            if scripted is not None and index < len(scenario.turns):
                mismatches.append(f"the call ended after {index} of {len(scenario.turns)} scripted caller turns")
            after = await snapshot(services.db)
        except (APIError, OSError, RuntimeError, ValueError) as exc:
            error = f"{type(exc).__name__}: {redact(str(exc))[:200]}"
            after = before
            logger.warning("trial %s/%d failed: %s", scenario.id, setup.trial, error)
        finally:
            if call is not None:
                with contextlib.suppress(Exception):
                    await call.aclose()
            await caller.aclose()
            with contextlib.suppress(Exception):
                await model.aclose()
        try:
            if call is None:
                raise RuntimeError(error or "the call did not start")
            report = build_report(
                call.session,
                mode=scenario.mode,
                llm_label=setup.desk_label,
                wall_time_s=time.monotonic() - started,
                turns=call.turns,
                db_changes=diff_snapshots(before, after),
            )
            lines = _agent_lines(call.session)
            measures = measure(
                ctx,
                observer,
                start_agent=scenario.start_agent,
                target_agent=scenario.agent,
                agent_lines=lines,
                disclosure=prompt_text("disclosure"),
                tool_calls=report["tool_calls"],
            )
            checks = grade(scenario, report, measures, agent_lines=lines)
            judge = await _judge(setup, lines)
        finally:
            await services.close()
    if judge is not None and judge["verdict"] != "not_run":
        checks.append(Check("judge", judge["intent"], judge["verdict"], judge["verdict"] == "pass"))
    if scripted is not None:
        checks.append(
            Check("scripted model followed its script", "yes", "; ".join(mismatches) or "yes", not mismatches)
        )
    if error is not None:
        checks.insert(0, Check("call completed", "yes", error, False))
    (setup.out_dir / "report.json").write_text(json.dumps(report, indent=2))
    (setup.out_dir / "transcript.txt").write_text(format_transcript(report) + "\n")
    return {
        "trial": setup.trial,
        "passed": all(c.ok for c in checks),
        "wall_s": round(time.monotonic() - started, 2),
        "error": error,
        "checks": [c.as_json() for c in checks],
        "measures": {**measures.as_json(), "judge": judge},
        "transcript": [{**e, "by_code": None} for e in report["transcript"]],
        "tool_calls": [
            {k: c.get(k) for k in ("agent", "name", "arguments", "outcome", "output", "duration_s")}
            for c in report["tool_calls"]
        ],
        "db_diff": report["database_changes"],
        "turns": [
            {k: t.get(k) for k in ("caller_input", "response_latency_s", "by_code", "timed_out")}
            for t in report["turns"]
        ],
        "report_path": str(setup.out_dir / "report.json"),
    }


async def _judge(setup: TrialSetup, lines: list[str]) -> dict[str, Any] | None:
    intent = setup.scenario.expect.judge
    if intent is None:
        return None
    if setup.judge_llm is None:
        return {"intent": intent, "verdict": "not_run", "reason": "no judge model (--judge-llm)"}
    model = setup.judge_llm()
    try:
        return {"intent": intent, **(await judge_speech(model, intent=intent, speech=lines))}
    finally:
        await model.aclose()
