"""Real audio through the real session: the bundled caller recording, Silero VAD, Whisper STT,
Piper TTS, turn detection and barge-in, with a scripted LLM (so the model's choices are fixed)."""

from __future__ import annotations

import asyncio
import json
import wave
from pathlib import Path

import pytest

from agents.registry import AGENTS
from call.context import AuthStep, CustomerContext
from services import Clock, open_services
from services.demo_data import AVA
from worker.offline.simulate import SimOptions, build_audio_session, run_simulation
from worker.settings import Settings
from worker.testing import FIXED_NOW, TEST_SALT, mark_verified
from worker.testing.scripted_llm import Reply, ScriptedLLM

pytestmark = [pytest.mark.voice, pytest.mark.asyncio]

CALL = Path(__file__).resolve().parents[2] / "samples" / "calls" / "return_jacket"


def _settings() -> Settings:
    return Settings(_env_file=None, provider_profile="local", secret_salt=TEST_SALT)  # type: ignore[call-arg]


async def test_simulate_first_turns_of_the_bundled_call(tmp_path: Path, db_url: str) -> None:
    """Greeting + four caller turns: name, phone, read-back confirmation, as heard by Whisper."""
    opts = SimOptions(
        audio=sorted(CALL.glob("*.wav"))[:4],
        text_lines=None,
        llm="scripted",
        scenario="return_jacket",
        out=tmp_path / "run",
        database_url=db_url,
        start_agent="authentication",
        turn_timeout_s=60,
    )
    report = await run_simulation(opts, _settings())

    calls = [(c["name"], c["is_error"]) for c in report["tool_calls"]]  # type: ignore[index]
    assert calls == [("record_first_name", False), ("record_phone_number", False), ("confirm_phone_number", False)]
    assert report["outcome"]["verification_step"] == AuthStep.DATE_OF_BIRTH.value  # type: ignore[index]
    caller_lines = [t["text"] for t in report["transcript"] if t["role"] == "caller"]  # type: ignore[index]
    assert len(caller_lines) == 4, caller_lines
    # Whisper tiny.en hears the synthetic caller well but not perfectly ("jacket" → "market"; see
    # samples/calls/return_jacket/whisper_check.txt), so only robust words are asserted.
    assert "return" in caller_lines[0].lower() and "ava" in caller_lines[1].lower()
    assert "0134" not in json.dumps(report), "caller digits are redacted in the report"
    turns = report["turns"]  # type: ignore[index]
    assert all(not t["timed_out"] and t["response_latency_s"] is not None for t in turns), turns
    with wave.open(str(tmp_path / "run" / "agent.wav")) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert seconds > 10, "greeting and four replies were recorded"
    assert (tmp_path / "run" / "report.json").exists() and (tmp_path / "run" / "transcript.txt").exists()


async def test_barge_in_during_disclosure_is_recorded(tmp_path: Path, db_url: str) -> None:
    """The caller talks over the disclosure: playback stops, and the record says how much played."""
    services = await open_services(db_url, salt=TEST_SALT, clock=Clock(fixed=FIXED_NOW))
    ctx = CustomerContext(services=services, channel="simulation")
    mark_verified(ctx, AVA)
    ctx.verification.step = AuthStep.DISCLOSURE
    ctx.disclosure.played_pct, ctx.disclosure.response, ctx.disclosure.ended_at = 0, None, None
    llm = ScriptedLLM(
        [
            Reply.say("Welcome back, Ava."),  # greeting (speech only)
            Reply.call("read_disclosure"),  # after "Yes, that address is still correct."
            Reply.say("Sorry to cut in. Do you accept, decline, or want a reminder later?"),
        ]
    )
    session, caller, speaker = build_audio_session(_settings(), llm, ctx, tmp_path / "agent.wav")

    async def agent_state(wanted: str, timeout_s: float = 30.0) -> None:
        for _ in range(int(timeout_s / 0.05)):
            if session.agent_state == wanted:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"agent never reached state {wanted!r} (now {session.agent_state!r})")

    try:
        await session.start(AGENTS["authentication"]())
        await agent_state("speaking")  # the greeting
        await agent_state("listening")
        await caller.play(CALL / "07.wav")  # "Yes, that address is still correct."
        await agent_state("speaking")  # the disclosure is audibly playing
        await asyncio.sleep(2.0)
        await caller.play(CALL / "08.wav")  # "No thanks, not right now."
        for _ in range(300):
            if ctx.disclosure.ended_at is not None:
                break
            await asyncio.sleep(0.05)
    finally:
        await session.aclose()
        await caller.aclose()
        speaker.close()
        await services.close()
    d = ctx.disclosure
    assert d.ended_at is not None and d.interrupted and not d.completed
    assert 0 < d.played_pct < 60, d.played_pct
    assert ctx.verification.step is AuthStep.OFFER_RESPONSE
