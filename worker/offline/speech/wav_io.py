"""Audio I/O for running an ``AgentSession`` with no LiveKit room.

Two classes plug into ``session.input.audio`` / ``session.output.audio`` before ``session.start``:

* :class:`WavCallerInput` plays the caller: an endless, real-time paced stream of 20 ms, 16 kHz mono
  frames that is silent until WAV files (or PCM arrays) are queued with :meth:`WavCallerInput.play`.
* :class:`WavAgentOutput` plays the loudspeaker: it simulates real-time playback of the agent's
  audio (so interruptions, ``wait_for_playout`` and transcript synchronisation behave as with a real
  device) and records what was actually "heard" to a WAV file.

The module also holds small PCM helpers (WAV reading/writing, down-mixing, resampling) shared by the
speech adapters.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import wave
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from livekit import rtc
from livekit.agents.voice import io

__all__ = [
    "CALLER_FRAME_MS",
    "CALLER_SAMPLE_RATE",
    "WavAgentOutput",
    "WavCallerInput",
    "frame_to_mono_int16",
    "read_wav",
    "resample_int16",
    "to_mono_int16",
    "write_wav",
]

logger = logging.getLogger(__name__)

CALLER_SAMPLE_RATE = 16000
"""Sample rate of every frame produced by :class:`WavCallerInput`, in Hz."""

CALLER_FRAME_MS = 20
"""Duration of every frame produced by :class:`WavCallerInput`, in milliseconds."""

Int16Array = npt.NDArray[np.int16]


# --------------------------------------------------------------------------------------------------
# PCM helpers
# --------------------------------------------------------------------------------------------------


def to_mono_int16(samples: npt.NDArray[np.generic]) -> Int16Array:
    """Convert PCM samples to a mono int16 array.

    Args:
        samples: PCM audio of shape ``(n,)`` (mono) or ``(n, channels)`` (interleaved channels).
            Integer arrays are taken as int16 full scale (other integer widths are scaled to int16);
            floating-point arrays are taken as full scale ``[-1.0, 1.0]`` and clipped.

    Returns:
        Mono audio of shape ``(n,)``, dtype int16. Channels are averaged.

    Raises:
        ValueError: If ``samples`` has more than two dimensions or an unsupported dtype.
    """
    arr = np.asarray(samples)
    if arr.ndim not in (1, 2):
        raise ValueError(f"expected PCM of shape (n,) or (n, channels), got shape {arr.shape}")

    if np.issubdtype(arr.dtype, np.floating):
        as_float = arr.astype(np.float32) * 32768.0
    elif arr.dtype == np.int16:
        as_float = arr.astype(np.float32)
    elif arr.dtype == np.int32:
        as_float = arr.astype(np.float32) / 65536.0
    elif arr.dtype == np.uint8:
        as_float = (arr.astype(np.float32) - 128.0) * 256.0
    else:
        raise ValueError(f"unsupported PCM dtype {arr.dtype}")

    if as_float.ndim == 2:
        as_float = as_float.mean(axis=1)
    return np.clip(np.rint(as_float), -32768, 32767).astype(np.int16)


def resample_int16(samples: Int16Array, src_rate: int, dst_rate: int) -> Int16Array:
    """Resample a whole mono int16 clip (high-quality sinc resampler from ``livekit.rtc``).

    Args:
        samples: Mono audio of shape ``(n,)``, dtype int16, at ``src_rate``.
        src_rate: Input sample rate in Hz (> 0).
        dst_rate: Output sample rate in Hz (> 0).

    Returns:
        Mono audio of shape ``(m,)``, dtype int16, at ``dst_rate``; ``m ≈ n * dst_rate / src_rate``.
        The input array itself is returned when the rates are equal.

    Raises:
        ValueError: If a rate is not positive.
    """
    if src_rate <= 0 or dst_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {src_rate} -> {dst_rate}")
    if src_rate == dst_rate or samples.size == 0:
        return samples if src_rate == dst_rate else np.zeros(0, dtype=np.int16)

    resampler = rtc.AudioResampler(src_rate, dst_rate, num_channels=1, quality=rtc.AudioResamplerQuality.HIGH)
    contiguous = np.ascontiguousarray(samples, dtype=np.int16)
    frames = resampler.push(rtc.AudioFrame(contiguous.tobytes(), src_rate, 1, contiguous.size))
    frames += resampler.flush()
    if not frames:
        return np.zeros(0, dtype=np.int16)
    return np.concatenate([np.frombuffer(f.data, dtype=np.int16) for f in frames]).astype(np.int16)


def frame_to_mono_int16(frame: rtc.AudioFrame) -> Int16Array:
    """Return the samples of an ``rtc.AudioFrame`` as a mono int16 array.

    Args:
        frame: A frame with ``samples_per_channel`` samples of interleaved int16 audio.

    Returns:
        Array of shape ``(frame.samples_per_channel,)``, dtype int16 (a copy; channels averaged).
    """
    data = np.frombuffer(frame.data, dtype=np.int16)
    if frame.num_channels > 1:
        return to_mono_int16(data.reshape(-1, frame.num_channels))
    return data.copy()


def read_wav(path: Path | str) -> tuple[Int16Array, int]:
    """Read a PCM WAV file as mono int16.

    Args:
        path: WAV file with 8-, 16-, 24- or 32-bit integer PCM, any channel count and sample rate.

    Returns:
        ``(samples, sample_rate)``: mono audio of shape ``(n,)``, dtype int16, and its rate in Hz.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        wave.Error: If the file is not PCM WAV (e.g. 32-bit float WAV is not supported).
        ValueError: If the sample width is not 1, 2, 3 or 4 bytes.
    """
    with wave.open(str(path), "rb") as wav:
        channels = wav.getnchannels()
        width = wav.getsampwidth()
        rate = wav.getframerate()
        raw = wav.readframes(wav.getnframes())

    data: npt.NDArray[np.generic]
    if width == 1:
        data = np.frombuffer(raw, dtype=np.uint8)
    elif width == 2:
        data = np.frombuffer(raw, dtype="<i2").astype(np.int16)
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        # little-endian 24-bit: keep the two most significant bytes as int16
        data = ((b[:, 2] << 24) | (b[:, 1] << 16) | (b[:, 0] << 8)).astype(np.int32)
    elif width == 4:
        data = np.frombuffer(raw, dtype="<i4").astype(np.int32)
    else:
        raise ValueError(f"unsupported WAV sample width: {width} bytes")

    if channels > 1:
        data = data.reshape(-1, channels)
    return to_mono_int16(data), rate


def write_wav(path: Path | str, samples: Int16Array, sample_rate: int) -> None:
    """Write mono int16 samples to a 16-bit PCM WAV file.

    Args:
        path: Destination file (overwritten).
        samples: Mono audio of shape ``(n,)``, dtype int16.
        sample_rate: Sample rate in Hz.
    """
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(np.ascontiguousarray(samples, dtype="<i2").tobytes())


# --------------------------------------------------------------------------------------------------
# Caller (microphone) side
# --------------------------------------------------------------------------------------------------


@dataclass
class _Clip:
    samples: Int16Array
    done: asyncio.Future[None]
    pos: int = 0
    cancelled: bool = False


class WavCallerInput(io.AudioInput):
    """A simulated caller microphone: endless real-time 20 ms frames, 16 kHz mono int16.

    Frames are pulled by the consumer (``AgentSession`` reads ``session.input.audio`` continuously).
    Frame ``i`` is released at ``t0 + i * 0.02 / speed`` on the monotonic clock, where ``t0`` is the
    first read: the schedule is absolute, so sleep jitter does not accumulate. If the consumer falls
    more than ``max_lag`` seconds behind (a blocked event loop, a paused reader) the schedule is reset
    to "now" instead of bursting out the backlog; no queued audio is lost, it is only delayed.

    When no clip is queued the frames are digital silence. Queued clips play back to back.

    Example:
        ``caller = WavCallerInput(); session.input.audio = caller; await session.start(agent);
        await caller.play(Path("samples/calls/return_jacket/01.wav"))``
    """

    def __init__(self, *, speed: float = 1.0, max_lag: float = 0.2, label: str = "WavCallerInput") -> None:
        """Create the input.

        Args:
            speed: Pacing factor; 1.0 is real time, 2.0 releases frames twice as fast (the audio
                itself is unchanged). Must be > 0.
            max_lag: Largest backlog in seconds that is caught up by releasing frames without
                sleeping; beyond it the pacing schedule restarts from now.
            label: Name reported by ``AudioInput.label``.

        Raises:
            ValueError: If ``speed`` is not a positive finite number or ``max_lag`` is negative.
        """
        super().__init__(label=label)
        if not (speed > 0 and math.isfinite(speed)):
            raise ValueError(f"speed must be a positive finite number, got {speed}")
        if max_lag < 0:
            raise ValueError(f"max_lag must be >= 0, got {max_lag}")
        self._speed = speed
        self._max_lag = max_lag
        self._samples_per_frame = CALLER_SAMPLE_RATE * CALLER_FRAME_MS // 1000
        self._frame_interval = CALLER_FRAME_MS / 1000.0 / speed
        self._clips: deque[_Clip] = deque()
        self._next_release: float | None = None
        self._closed = False
        self._frames_emitted = 0

    @property
    def sample_rate(self) -> int:
        """Sample rate of the produced frames in Hz (always 16000)."""
        return CALLER_SAMPLE_RATE

    @property
    def frames_emitted(self) -> int:
        """Number of 20 ms frames released so far."""
        return self._frames_emitted

    @property
    def seconds_emitted(self) -> float:
        """Audio time released so far in seconds (``frames_emitted * 0.02``)."""
        return self._frames_emitted * CALLER_FRAME_MS / 1000.0

    @property
    def busy(self) -> bool:
        """True while queued audio remains to be released."""
        return any(not c.cancelled for c in self._clips)

    async def play(self, path: Path | str) -> None:
        """Queue a WAV file and wait until its last frame has been released.

        Args:
            path: PCM WAV file, any sample rate and channel count (converted to 16 kHz mono int16).

        Raises:
            FileNotFoundError: If ``path`` does not exist.
            wave.Error: If the file is not a PCM WAV file.
            RuntimeError: If the input is already closed.

        Note:
            Returns early (without error) if the input is closed while the clip is queued.
            Cancelling the awaiting task removes the rest of the clip from the stream.
        """
        samples, rate = read_wav(path)
        await self.play_pcm(samples, rate)

    async def play_pcm(self, samples: npt.NDArray[np.generic], sample_rate: int) -> None:
        """Queue PCM audio and wait until its last frame has been released.

        Args:
            samples: Audio of shape ``(n,)`` or ``(n, channels)``; int16 full scale or float in
                ``[-1, 1]`` (see :func:`to_mono_int16`).
            sample_rate: Sample rate of ``samples`` in Hz.

        Raises:
            RuntimeError: If the input is already closed.
            ValueError: If the samples have an unsupported shape/dtype or the rate is not positive.
        """
        if self._closed:
            raise RuntimeError("WavCallerInput is closed")
        mono = resample_int16(to_mono_int16(samples), sample_rate, CALLER_SAMPLE_RATE)
        if mono.size == 0:
            return
        clip = _Clip(samples=mono, done=asyncio.get_running_loop().create_future())
        self._clips.append(clip)
        try:
            await asyncio.shield(clip.done)
        except asyncio.CancelledError:
            clip.cancelled = True
            raise

    async def aclose(self) -> None:
        """Stop the stream: the next read raises ``StopAsyncIteration`` and pending plays return."""
        self._closed = True
        while self._clips:
            clip = self._clips.popleft()
            if not clip.done.done():
                clip.done.set_result(None)

    async def __anext__(self) -> rtc.AudioFrame:
        """Release the next 20 ms frame at its real-time slot.

        Returns:
            A 16 kHz mono frame of 320 int16 samples.

        Raises:
            StopAsyncIteration: Once :meth:`aclose` has been called.
        """
        if self._closed:
            raise StopAsyncIteration

        now = time.monotonic()
        if self._next_release is None or now - self._next_release > self._max_lag:
            self._next_release = now
        delay = self._next_release - now
        if delay > 0:
            await asyncio.sleep(delay)
        if self._closed:
            raise StopAsyncIteration

        self._next_release += self._frame_interval
        self._frames_emitted += 1
        return rtc.AudioFrame(self._fill_frame().tobytes(), CALLER_SAMPLE_RATE, 1, self._samples_per_frame)

    def _fill_frame(self) -> Int16Array:
        out = np.zeros(self._samples_per_frame, dtype=np.int16)
        filled = 0
        while filled < self._samples_per_frame and self._clips:
            clip = self._clips[0]
            if clip.cancelled:
                self._clips.popleft()
                continue
            n = min(self._samples_per_frame - filled, clip.samples.size - clip.pos)
            out[filled : filled + n] = clip.samples[clip.pos : clip.pos + n]
            clip.pos += n
            filled += n
            if clip.pos >= clip.samples.size:
                self._clips.popleft()
                # resolved once this frame is handed out (the caller of __anext__ runs first)
                asyncio.get_running_loop().call_soon(_resolve, clip.done)
        return out


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


# --------------------------------------------------------------------------------------------------
# Agent (loudspeaker) side
# --------------------------------------------------------------------------------------------------


@dataclass
class _Segment:
    buf: bytearray = field(default_factory=bytearray)
    pushed: int = 0  # samples captured (at the output rate)
    played: int = 0  # samples played so far
    clock: float | None = None  # monotonic time up to which `played` is accounted; None = stalled
    flushed: bool = False
    interrupted: bool = False


class WavAgentOutput(io.AudioOutput):
    """A simulated loudspeaker that records the agent's audio to a mono 16-bit WAV file.

    Playback model (mirrors the console's ``ConsoleAudioOutput``/``TcpAudioOutput``):

    * A segment starts with the first ``capture_frame`` after a flush; ``on_playback_started`` is
      emitted right then with ``created_at=time.time()``. Frames may arrive faster than real time.
    * The simulated device plays captured audio at 1x on the monotonic clock. If it runs dry before
      more audio is captured (TTS slower than real time) it waits, as a real device underruns.
    * After ``flush()``, the segment finishes when all its audio has been played; then
      ``on_playback_finished(playback_position=<segment seconds>, interrupted=False)``.
    * ``clear_buffer()`` is barge-in: the audio not yet played is discarded and the segment finishes
      with ``interrupted=True`` and ``playback_position=<seconds played>``. As in the console, if the
      segment has not been flushed yet the event is emitted when ``flush()`` arrives (the framework
      always flushes before/around clearing). ``clear_buffer()`` with no segment is a no-op.
    * ``pause()``/``resume()`` (capability ``pause=True`` by default, so the session can resume
      after a false interruption) freeze and restart the playback clock. A pause lasts until
      ``resume()`` or until the current segment ends, as in the console.
    * A new segment's first ``capture_frame`` waits until the previous segment has finished.

    Recording: only audio that was actually played is written. With ``timeline=True`` (default)
    the WAV follows the wall clock: sample ``k`` corresponds to ``origin + k / sample_rate``, and the
    gaps between segments, pauses and underruns are written as silence, so it can be laid next to a
    recording of the caller. With ``timeline=False`` the played audio is simply concatenated.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        sample_rate: int = 24000,
        timeline: bool = True,
        can_pause: bool = True,
        origin: float | None = None,
        label: str = "WavAgentOutput",
    ) -> None:
        """Create the output and open the WAV file for writing.

        Args:
            path: WAV file to create (overwritten); its parent directory must exist.
            sample_rate: Rate of the recording in Hz. It is also announced as the sink's required
                rate, so ``AgentSession`` resamples TTS audio before ``capture_frame``; frames at
                any other rate are resampled here as well.
            timeline: Write silence for real elapsed gaps (see class docstring) if True;
                concatenate the played audio if False.
            can_pause: Announce the ``pause`` capability to the session.
            origin: ``time.monotonic()`` value that sample 0 of the timeline corresponds to;
                defaults to the construction time.
            label: Name reported by ``AudioOutput.label``.

        Raises:
            ValueError: If ``sample_rate`` is not positive.
            OSError: If the file cannot be created.
        """
        if sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, got {sample_rate}")
        super().__init__(
            label=label,
            capabilities=io.AudioOutputCapabilities(pause=can_pause),
            next_in_chain=None,
            sample_rate=sample_rate,
        )
        self._path = Path(path)
        self._rate = sample_rate
        self._timeline = timeline
        self._origin = time.monotonic() if origin is None else origin
        self._wav: wave.Wave_write | None = wave.open(str(self._path), "wb")
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(sample_rate)
        self._written = 0

        self._seg: _Segment | None = None
        self._paused = False
        self._wake = asyncio.Event()
        self._playout_task: asyncio.Task[None] | None = None
        self._resampler: rtc.AudioResampler | None = None
        self._resampler_key: tuple[int, int] | None = None
        self._segments_finished = 0
        self._interruptions = 0

    # ---------------------------------------------------------------- public properties

    @property
    def path(self) -> Path:
        """Path of the WAV file being written."""
        return self._path

    @property
    def seconds_written(self) -> float:
        """Duration of audio (including timeline silence) written to the WAV so far, in seconds."""
        return self._written / self._rate

    @property
    def paused(self) -> bool:
        """True while playback is paused."""
        return self._paused

    @property
    def segments_finished(self) -> int:
        """Number of segments that reported ``playback_finished`` (interrupted or not)."""
        return self._segments_finished

    @property
    def interruptions(self) -> int:
        """Number of segments that finished interrupted."""
        return self._interruptions

    @property
    def playback_position(self) -> float:
        """Seconds played of the current segment (0.0 when idle)."""
        if self._seg is None:
            return 0.0
        self._advance(time.monotonic())
        return self._seg.played / self._rate

    # ---------------------------------------------------------------- AudioOutput API

    async def capture_frame(self, frame: rtc.AudioFrame) -> None:
        """Accept one frame of agent audio for (simulated) playback.

        Args:
            frame: int16 audio, any rate/channel count (converted to mono at the output rate).
        """
        await super().capture_frame(frame)

        if self._playout_task is not None and not self._playout_task.done():
            # the previous segment is still "playing": the device queue is busy
            await asyncio.shield(self._playout_task)

        now = time.monotonic()
        if self._seg is None:
            self._seg = _Segment(clock=None if self._paused else now)
            self.on_playback_started(created_at=time.time())

        seg = self._seg
        if seg.interrupted:
            return  # cleared before the flush: drop the rest of the segment

        self._advance(now)
        self._append(seg, self._convert(frame))
        if seg.clock is None and not self._paused:
            seg.clock = now
        self._wake.set()

    def flush(self) -> None:
        """Mark the end of the current segment; playback finishes once its audio has played."""
        super().flush()
        seg = self._seg
        if seg is None or seg.flushed:
            return
        if self._resampler is not None and not seg.interrupted:
            for f in self._resampler.flush():
                self._append(seg, frame_to_mono_int16(f))
        self._resampler = None
        self._resampler_key = None
        seg.flushed = True
        self._playout_task = asyncio.create_task(self._wait_for_playout(seg), name="WavAgentOutput.playout")

    def clear_buffer(self) -> None:
        """Barge-in: stop the current segment at the position reached so far."""
        seg = self._seg
        if seg is None or seg.interrupted:
            return
        self._advance(time.monotonic())
        seg.interrupted = True
        seg.pushed = seg.played
        del seg.buf[seg.played * 2 :]
        self._resampler = None
        self._resampler_key = None
        self._wake.set()

    def pause(self) -> None:
        """Freeze the playback clock (the session does this when the caller may be interrupting)."""
        super().pause()
        if self._paused:
            return
        if self._seg is not None:
            self._advance(time.monotonic())
            self._seg.clock = None
        self._paused = True
        self._wake.set()

    def resume(self) -> None:
        """Restart the playback clock after :meth:`pause`."""
        super().resume()
        if not self._paused:
            return
        self._paused = False
        if self._seg is not None:
            self._seg.clock = time.monotonic()
        self._wake.set()

    def close(self) -> None:
        """Write what has been played so far and finalize the WAV header. Idempotent.

        A segment still in progress is not reported as finished; call this after the session has
        closed (or after ``wait_for_playout``).
        """
        if self._wav is None:
            return
        if self._seg is not None:
            self._advance(time.monotonic())
        if self._playout_task is not None and not self._playout_task.done():
            self._playout_task.cancel()
        self._wav.close()
        self._wav = None

    # ---------------------------------------------------------------- internals

    def _convert(self, frame: rtc.AudioFrame) -> Int16Array:
        if frame.sample_rate == self._rate:
            return frame_to_mono_int16(frame)
        key = (frame.sample_rate, frame.num_channels)
        if self._resampler is None or self._resampler_key != key:
            self._resampler = rtc.AudioResampler(
                frame.sample_rate,
                self._rate,
                num_channels=frame.num_channels,
                quality=rtc.AudioResamplerQuality.HIGH,
            )
            self._resampler_key = key
        out = [frame_to_mono_int16(f) for f in self._resampler.push(frame)]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int16)

    @staticmethod
    def _append(seg: _Segment, samples: Int16Array) -> None:
        seg.buf += np.ascontiguousarray(samples, dtype="<i2").tobytes()
        seg.pushed += int(samples.size)

    def _advance(self, now: float) -> None:
        """Account for the audio the simulated device has played up to ``now`` and record it."""
        seg = self._seg
        if seg is None or seg.clock is None:
            return
        available = seg.pushed - seg.played
        n = min(available, int((now - seg.clock) * self._rate))
        if n > 0:
            start = seg.played
            self._record(seg.clock, bytes(seg.buf[start * 2 : (start + n) * 2]))
            seg.played += n
            seg.clock += n / self._rate
        if seg.played >= seg.pushed:
            # ran dry: the clock waits for more audio (an underrun plays nothing)
            seg.clock = now

    def _record(self, started_at: float, pcm: bytes) -> None:
        if self._wav is None:
            return
        if self._timeline:
            target = round((started_at - self._origin) * self._rate)
            gap = target - self._written
            if gap > 1:  # ignore ±1 sample rounding between contiguous runs
                self._wav.writeframes(bytes(gap * 2))
                self._written += gap
        self._wav.writeframes(pcm)
        self._written += len(pcm) // 2

    async def _wait_for_playout(self, seg: _Segment) -> None:
        while True:
            self._advance(time.monotonic())
            if seg.interrupted or seg.played >= seg.pushed:
                break
            self._wake.clear()
            if seg.clock is None:
                await self._wake.wait()
            else:
                remaining = (seg.pushed - seg.played) / self._rate
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=remaining + 0.001)
                except TimeoutError:
                    pass

        position = seg.played / self._rate
        interrupted = seg.interrupted
        self._seg = None
        self._paused = False
        self._segments_finished += 1
        self._interruptions += int(interrupted)
        self.on_playback_finished(playback_position=position, interrupted=interrupted)
