"""The realtime profile speaks through its TTS: the model's (guarded) text and code's templates alike.

A real AgentSession with a real TTS (Piper) and a simulated speaker (WAV sink) runs beside the
guarded realtime model (a scripted fake of the exact interface, :mod:`tests.flows.realtime_fake`):
LiveKit sends the realtime model's text to ``tts_node`` and code's ``session.say`` templates to the
same TTS, so the caller hears one voice. Whisper listens to the recording.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rapidfuzz import fuzz

from agents.turns import send_caller_text
from call.context import CustomerContext
from services import Clock, open_services
from services.demo_data import AVA
from tests.flows.realtime_fake import ScriptedRealtimeModel
from worker.offline.speech import PiperTTS, WavAgentOutput, WhisperSTT, read_wav
from worker.realtime import GuardedRealtimeModel
from worker.session import build_session, start_call
from worker.testing import Reply
from worker.testing.seam import FIXED_NOW, TEST_SALT, mark_verified

pytestmark = [pytest.mark.voice, pytest.mark.asyncio]


async def test_model_text_and_code_templates_are_both_spoken_by_the_tts(tmp_path: Path, db_url: str) -> None:
    from livekit import rtc

    fake = ScriptedRealtimeModel(
        [
            Reply.say("Hi Ava, returns desk here. Which order is it?"),
            Reply.call("check_return_eligibility", order_number="100101", condition="unused"),
        ]
    )
    model = GuardedRealtimeModel(fake)
    services = await open_services(db_url, salt=TEST_SALT, clock=Clock(fixed=FIXED_NOW))
    ctx = CustomerContext(services=services, channel="test")
    ctx.current_agent = "returns"
    mark_verified(ctx, AVA)
    speaker = WavAgentOutput(tmp_path / "agent.wav", timeline=False)
    session = build_session(
        llm=model,  # type: ignore[arg-type]
        userdata=ctx,
        tts=PiperTTS(voice=PiperTTS.load_voice()),
        turn_handling={"turn_detection": "manual"},
        aec_warmup_duration=None,
    )
    session.output.audio = speaker
    model.attach(session)
    try:
        await start_call(session, start_agent="returns", record=False)
        await session.wait_for_idle()
        first = speaker.seconds_written
        assert first > 1.0, "the model's greeting was spoken by the TTS"

        turn = await send_caller_text(session, "The jacket from order one zero zero one zero one, it's unworn")
        await session.wait_for_idle()
        assert turn.tool_calls() == [("check_return_eligibility", {"order_number": "100101", "condition": "unused"})]
        assert turn.spoken()[0].startswith("Good news, it can be returned.")  # code's template
        assert speaker.seconds_written > first + 2.0, "code's read-back was spoken by the same TTS"
    finally:
        await session.aclose()
        speaker.close()
        await services.close()

    audio, rate = read_wav(speaker.path)
    frame = rtc.AudioFrame(audio.tobytes(), rate, 1, audio.shape[0])
    heard = (await WhisperSTT(model=WhisperSTT.load_model()).recognize(frame)).alternatives[0].text.lower()
    # Whisper tiny mishears single words from run to run ("rangeacket", "return's"): compare whole phrases
    # fuzzily, one from the model's text and one from code's template, both spoken by the one TTS.
    model_line, code_line = "returns desk here. which order is it?", "good news, it can be returned."
    assert fuzz.partial_ratio(model_line, heard) >= 85, heard
    assert fuzz.partial_ratio(code_line, heard) >= 85, heard
    assert fuzz.partial_ratio("shall i go ahead?", heard) >= 85, heard
