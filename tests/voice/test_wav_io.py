"""WavCallerInput / WavAgentOutput: real-time pacing, WAV conversion, playback and barge-in semantics."""

from __future__ import annotations

import asyncio
import time
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from livekit import rtc
from livekit.agents.voice import io

from worker.offline.speech import WavAgentOutput, WavCallerInput, read_wav, write_wav

pytestmark = pytest.mark.voice

OUT_RATE = 24000


def _tone(seconds: float, rate: int, freq: float = 440.0, amplitude: float = 0.5) -> npt.NDArray[np.int16]:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def _frames(samples: npt.NDArray[np.int16], rate: int, frame_ms: int = 50) -> list[rtc.AudioFrame]:
    step = rate * frame_ms // 1000
    return [
        rtc.AudioFrame(samples[i : i + step].tobytes(), rate, 1, len(samples[i : i + step]))
        for i in range(0, len(samples), step)
    ]


def _wav_seconds(path: Path) -> tuple[float, int]:
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        return wav.getnframes() / wav.getframerate(), wav.getframerate()


class _Collector:
    """Reads a WavCallerInput like AgentSession does and records (monotonic time, frame)."""

    def __init__(self, source: WavCallerInput) -> None:
        self.frames: list[tuple[float, rtc.AudioFrame]] = []
        self._source = source
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for frame in self._source:
            self.frames.append((time.monotonic(), frame))


# ------------------------------------------------------------------------------------------------
# caller input
# ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_caller_input_is_real_time_and_play_returns_after_the_file(tmp_path: Path) -> None:
    # a 44.1 kHz stereo file: play() must convert it to 16 kHz mono
    stereo = np.stack([_tone(0.5, 44100), _tone(0.5, 44100)], axis=1)
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44100)
        wav.writeframes(stereo.astype("<i2").tobytes())

    caller = WavCallerInput()
    reader = _Collector(caller)
    await asyncio.sleep(0.2)  # idle: silence
    started = time.monotonic()
    await caller.play(path)
    play_seconds = time.monotonic() - started
    n_at_return = len(reader.frames)
    await asyncio.sleep(0.2)
    await caller.aclose()
    await asyncio.wait_for(reader.task, 1.0)  # StopAsyncIteration ends the reader

    frames = [f for _, f in reader.frames]
    assert all(f.sample_rate == 16000 and f.num_channels == 1 and f.samples_per_channel == 320 for f in frames)
    loud = [i for i, f in enumerate(frames) if np.abs(np.frombuffer(f.data, np.int16)).max() > 1000]
    # 0.5 s of tone = 25 frames of 20 ms (+1 for a partly filled boundary frame)
    assert 24 <= len(loud) <= 26
    assert loud == list(range(loud[0], loud[-1] + 1)), "the clip is contiguous"
    assert loud[-1] == n_at_return - 1, "play() returns right after the clip's last frame"
    # paced in real time: the file took about its own duration to go out
    assert 0.45 <= play_seconds < 0.9
    # frame count over the whole run matches wall time (drift-corrected schedule)
    wall = reader.frames[-1][0] - reader.frames[0][0]
    assert abs(len(frames) * 0.02 - wall) < 0.08
    assert caller.seconds_emitted == pytest.approx(len(frames) * 0.02)


@pytest.mark.asyncio
async def test_caller_input_speed_queue_and_pcm() -> None:
    caller = WavCallerInput(speed=4.0)
    reader = _Collector(caller)
    started = time.monotonic()
    # two clips queued at once play back to back; float PCM at 8 kHz is converted too
    first = asyncio.create_task(caller.play_pcm(_tone(0.4, 16000), 16000))
    second = asyncio.create_task(caller.play_pcm(np.full(3200, 0.25, dtype=np.float32), 8000))
    await first
    assert not second.done() and caller.busy
    await second
    elapsed = time.monotonic() - started
    await caller.aclose()
    await reader.task

    assert 0.18 <= elapsed < 0.5, "0.8 s of audio at speed 4 takes ~0.2 s"
    assert not caller.busy
    with pytest.raises(RuntimeError):
        await caller.play_pcm(np.zeros(160, np.int16), 16000)


def test_read_wav_converts_widths_and_channels(tmp_path: Path) -> None:
    mono = _tone(0.1, 22050)
    write_wav(tmp_path / "m.wav", mono, 22050)
    samples, rate = read_wav(tmp_path / "m.wav")
    assert rate == 22050 and samples.dtype == np.int16 and np.array_equal(samples, mono)


# ------------------------------------------------------------------------------------------------
# agent output
# ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_agent_output_plays_in_real_time_and_records_the_segment(tmp_path: Path) -> None:
    out = WavAgentOutput(tmp_path / "agent.wav", timeline=False)
    assert out.sample_rate == OUT_RATE and out.can_pause
    started_events: list[io.PlaybackStartedEvent] = []
    finished_events: list[io.PlaybackFinishedEvent] = []
    out.on("playback_started", started_events.append)
    out.on("playback_finished", finished_events.append)

    audio = _tone(1.0, OUT_RATE)
    t0 = time.monotonic()
    for frame in _frames(audio, OUT_RATE):  # pushed much faster than real time
        await out.capture_frame(frame)
    out.flush()
    ev = await out.wait_for_playout()
    elapsed = time.monotonic() - t0
    out.close()

    assert len(started_events) == 1 and len(finished_events) == 1
    assert not ev.interrupted and ev.playback_position == pytest.approx(1.0, abs=1e-6)
    assert 0.95 <= elapsed < 1.4, "playback finishes after the audio's duration"
    seconds, rate = _wav_seconds(out.path)
    assert rate == OUT_RATE and seconds == pytest.approx(1.0, abs=1e-6) == out.seconds_written
    recorded, _ = read_wav(out.path)
    assert np.array_equal(recorded, audio)


@pytest.mark.asyncio
async def test_agent_output_clear_buffer_is_barge_in(tmp_path: Path) -> None:
    out = WavAgentOutput(tmp_path / "agent.wav", timeline=False)
    for frame in _frames(_tone(2.0, OUT_RATE), OUT_RATE):
        await out.capture_frame(frame)
    out.flush()
    await asyncio.sleep(0.4)
    out.clear_buffer()
    out.clear_buffer()  # the framework may clear twice; harmless
    ev = await asyncio.wait_for(out.wait_for_playout(), 0.5)
    out.close()

    assert ev.interrupted
    assert 0.3 < ev.playback_position < 1.0
    seconds, _ = _wav_seconds(out.path)
    assert seconds == pytest.approx(ev.playback_position, abs=2 / OUT_RATE), "only the played part is written"
    assert out.interruptions == 1 and out.segments_finished == 1


@pytest.mark.asyncio
async def test_agent_output_clear_before_flush_finishes_on_flush(tmp_path: Path) -> None:
    """As in the console: a clear during capture is reported when the segment is flushed."""
    out = WavAgentOutput(tmp_path / "agent.wav")
    frames = _frames(_tone(1.0, OUT_RATE), OUT_RATE)
    for frame in frames[:10]:
        await out.capture_frame(frame)
    await asyncio.sleep(0.1)
    out.clear_buffer()
    for frame in frames[10:]:  # late frames of a cleared segment are dropped
        await out.capture_frame(frame)
    out.flush()
    ev = await asyncio.wait_for(out.wait_for_playout(), 0.5)
    out.close()
    assert ev.interrupted and 0.05 < ev.playback_position < 0.3


@pytest.mark.asyncio
async def test_agent_output_timeline_pause_and_resampling(tmp_path: Path) -> None:
    """Timeline mode: gaps and pauses become silence; 22.05 kHz input is resampled to 24 kHz."""
    out = WavAgentOutput(tmp_path / "agent.wav")
    t0 = time.monotonic()
    for frame in _frames(_tone(0.3, 22050), 22050):
        await out.capture_frame(frame)
    out.flush()
    first = await out.wait_for_playout()
    await asyncio.sleep(0.2)  # silence between agent segments

    for frame in _frames(_tone(0.6, OUT_RATE), OUT_RATE):
        await out.capture_frame(frame)
    out.flush()
    await asyncio.sleep(0.2)
    out.pause()
    position = out.playback_position
    await asyncio.sleep(0.2)
    assert out.playback_position == pytest.approx(position, abs=1e-3), "paused: the clock is frozen"
    out.resume()
    second = await out.wait_for_playout()
    elapsed = time.monotonic() - t0
    out.close()

    # Wall-clock tolerances allow for a loaded 2-core machine running two pytest workers.
    assert first.playback_position == pytest.approx(0.3, abs=0.05) and not first.interrupted
    assert second.playback_position == pytest.approx(0.6, abs=1e-6) and not second.interrupted
    assert elapsed >= 0.3 + 0.2 + 0.6 + 0.2
    seconds, rate = _wav_seconds(out.path)
    assert rate == OUT_RATE
    # the file follows the wall clock: it ends where the second segment ended
    assert seconds == pytest.approx(elapsed, abs=0.2)
    recorded, _ = read_wav(out.path)
    blocks = recorded[: recorded.size // 240 * 240].reshape(-1, 240)  # 10 ms blocks
    loud = np.abs(blocks.astype(np.int32)).max(axis=1) > 2000
    assert loud.sum() * 0.01 == pytest.approx(0.9, abs=0.08), "0.3 s + 0.6 s of tone"
    assert (~loud).sum() * 0.01 > 0.35, "the gap and the pause are silence"
