"""Phone calls: room options per caller (sample rate, noise cancellation), longer endpointing while a
phone caller reads digits, and the noise-cancellation preflight."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any, cast

import pytest
from livekit import rtc
from livekit.agents.voice.room_io import AudioInputOptions, TextInputEvent
from livekit.agents.voice.room_io.types import NoiseCancellationParams

from agents.listening import LISTENING, PHONE_LISTENING, listening_for
from worker.preflight import NOISE_CANCELLATION_MODULE, noise_cancellation_problem, on_livekit_cloud
from worker.settings import Settings
from worker.telephony import PHONE_SAMPLE_RATE, is_phone, room_options_for
from worker.testing import ScriptedLLM, offline_call
from worker.testing.fake_room import FakeRemoteParticipant

pytestmark = pytest.mark.unit

SIP = rtc.ParticipantKind.PARTICIPANT_KIND_SIP
WEB = rtc.ParticipantKind.PARTICIPANT_KIND_STANDARD
CLOUD_URL = "wss://desk-abc123.livekit.cloud"


def _participant(kind: int, identity: str = "caller") -> rtc.Participant:
    attributes = {"sip.phoneNumber": "+14155550134"} if kind == SIP else {}
    return cast(rtc.Participant, FakeRemoteParticipant(identity, kind=kind, attributes=attributes))


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def _audio(options: Any) -> AudioInputOptions:
    audio = options.audio_input
    assert isinstance(audio, AudioInputOptions)
    return audio


async def _typed(session: Any, ev: TextInputEvent) -> None:
    return None


@pytest.fixture
def noise_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    """``livekit.plugins.noise_cancellation`` of the exact interface of livekit-plugins-noise-cancellation
    0.3 (``BVC()``/``BVCTelephony()`` return ``rtc.NoiseCancellationOptions``), which needs LiveKit Cloud
    and is not installed here."""
    spec = importlib.util.spec_from_loader(NOISE_CANCELLATION_MODULE, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.BVC = lambda: rtc.NoiseCancellationOptions("fake-nc", {"modelPath": "bvc"})  # type: ignore[attr-defined]
    module.BVCTelephony = lambda: rtc.NoiseCancellationOptions(  # type: ignore[attr-defined]
        "fake-nc", {"modelPath": "bvct"}
    )
    monkeypatch.setitem(sys.modules, NOISE_CANCELLATION_MODULE, cast(ModuleType, module))


def test_phone_audio_is_taken_at_16_khz_and_web_keeps_the_default() -> None:
    settings = _settings()
    phone = room_options_for(_participant(SIP, "sip_+14155550134"), settings, text_input_cb=_typed)
    web = room_options_for(_participant(WEB, "ava-web"), settings, text_input_cb=_typed)
    assert is_phone(_participant(SIP)) and not is_phone(_participant(WEB))
    assert _audio(phone).sample_rate == PHONE_SAMPLE_RATE == 16_000
    assert _audio(web).sample_rate == AudioInputOptions().sample_rate == 24_000
    assert phone.participant_identity == "sip_+14155550134" and web.participant_identity == "ava-web"
    for options in (phone, web):
        assert _audio(options).noise_cancellation is None, "NOISE_CANCELLATION=off: no agent-side cancellation"
        text = options.get_text_input_options()
        assert text is not None and text.text_input_cb is _typed


def test_bvc_on_livekit_cloud_picks_bvc_telephony_for_phone_callers(noise_plugin: None) -> None:
    options = room_options_for(_participant(SIP), _settings(noise_cancellation="bvc", livekit_url=CLOUD_URL))
    audio = _audio(options)
    select = audio.noise_cancellation
    assert callable(select) and audio.auto_gain_control is False
    track = cast(rtc.Track, object())
    phone = select(NoiseCancellationParams(participant=_participant(SIP), track=track))
    web = select(NoiseCancellationParams(participant=_participant(WEB), track=track))
    assert isinstance(phone, rtc.NoiseCancellationOptions) and phone.options == {"modelPath": "bvct"}
    assert isinstance(web, rtc.NoiseCancellationOptions) and web.options == {"modelPath": "bvc"}
    assert noise_cancellation_problem(_settings(noise_cancellation="bvc", livekit_url=CLOUD_URL)) is None


def test_bvc_is_refused_off_livekit_cloud_and_without_the_plugin(
    noise_plugin: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    self_hosted = _settings(noise_cancellation="bvc", livekit_url="ws://127.0.0.1:7880")
    assert "needs LiveKit Cloud" in (noise_cancellation_problem(self_hosted) or "")
    assert _audio(room_options_for(_participant(SIP), self_hosted)).noise_cancellation is None
    monkeypatch.delitem(sys.modules, NOISE_CANCELLATION_MODULE)
    cloud = _settings(noise_cancellation="bvc", livekit_url=CLOUD_URL)
    if importlib.util.find_spec(NOISE_CANCELLATION_MODULE) is None:
        assert "livekit-plugins-noise-cancellation" in (noise_cancellation_problem(cloud) or "")
    assert noise_cancellation_problem(_settings(livekit_url=CLOUD_URL)) is None, "off needs nothing"


@pytest.mark.parametrize(
    ("url", "cloud"),
    [
        (CLOUD_URL, True),
        ("https://desk.livekit.cloud", True),
        ("ws://127.0.0.1:7880", False),
        ("wss://livekit.cloud.example.com", False),
        (None, False),
    ],
)
def test_livekit_cloud_is_recognised_by_its_host(url: str | None, cloud: bool) -> None:
    assert on_livekit_cloud(url) is cloud


def test_phone_digits_wait_longer_other_modes_and_channels_unchanged() -> None:
    assert listening_for("digits", "phone") is PHONE_LISTENING["digits"]
    assert listening_for("digits", "phone").min_delay > LISTENING["digits"].min_delay
    assert listening_for("digits", "phone").max_delay > LISTENING["digits"].max_delay
    assert listening_for("digits", "phone").keyterms == LISTENING["digits"].keyterms
    assert listening_for("digits", "web") is LISTENING["digits"]
    for mode in ("general", "name", "yes_no"):
        assert listening_for(mode, "phone") is LISTENING[mode]


@pytest.mark.asyncio
@pytest.mark.parametrize("channel", ["phone", "web"])
async def test_the_phone_step_sets_the_channel_endpointing_in_the_running_session(channel: Any) -> None:
    """After the caller's name, code asks for the phone number (digits): the running session's
    endpointing is the phone value on a phone call and the web value otherwise."""
    async with offline_call(llm=ScriptedLLM(), channel=channel) as call:
        turn = await call.say("My first name is Ava.")
        assert turn.by_code
        expected = listening_for("digits", channel)
        assert call.session.options.endpointing["min_delay"] == expected.min_delay
        assert call.session.options.endpointing["max_delay"] == expected.max_delay
