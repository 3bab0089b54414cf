"""A LiveKit room without a server, of the exact interface the worker and LiveKit's ``RoomIO`` use.

It lets the worker's own ``rtc_session`` entrypoint run in-process under LiveKit's
``testing.fake_job_context``: participants join (a web participant, or a SIP participant carrying
``sip.phoneNumber``), typed chat arrives on the ``lk.chat`` text stream the way the Agents
Playground sends it, the keypad sends ``sip_dtmf_received`` events, and everything the agent
publishes (participant attributes, audio tracks, transcriptions) is recorded for assertions.

Only what the worker and ``livekit.agents.voice.room_io`` call is implemented; every public member
has the name, kind (property or method) and parameter names of its ``livekit.rtc`` counterpart,
which ``tests/worker/test_fake_room.py`` checks, so a change of LiveKit's interface breaks that
test rather than passing silently here.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from livekit import rtc

_IDS = itertools.count(1)


def _sid(prefix: str) -> str:
    return f"{prefix}{next(_IDS):06d}"


class FakeTrackPublication:
    """What ``LocalParticipant.publish_track`` returns: subscribed at once (a listener is present)."""

    def __init__(self, track: rtc.LocalTrack, options: rtc.TrackPublishOptions) -> None:
        self._track = track
        self._options = options
        self._sid = _sid("TR_")

    @property
    def sid(self) -> str:
        """The track publication id."""
        return self._sid

    @property
    def track(self) -> rtc.LocalTrack:
        """The published track."""
        return self._track

    async def wait_for_subscription(self) -> None:
        """Returns at once: the fake caller always listens."""


class FakeTextStreamWriter:
    """What ``LocalParticipant.stream_text`` returns: collects the text written."""

    def __init__(self, topic: str, sink: list[tuple[str, str]]) -> None:
        self._topic = topic
        self._sink = sink
        self._parts: list[str] = []
        self.info = rtc.TextStreamInfo(
            stream_id=_sid("ST_"),
            mime_type="text/plain",
            topic=topic,
            timestamp=0,
            size=None,
            attributes={},
            attachments=[],
        )

    async def write(self, text: str) -> None:
        """Append ``text`` to the stream."""
        self._parts.append(text)

    async def aclose(self, *, reason: str = "", attributes: dict[str, str] | None = None) -> None:
        """Close the stream; the whole text is recorded under its topic."""
        self._sink.append((self._topic, "".join(self._parts)))


class FakeLocalParticipant:
    """The agent's own participant: records attributes, published tracks and text streams."""

    def __init__(self, identity: str) -> None:
        self._identity = identity
        self._sid = _sid("PA_")
        self._attributes: dict[str, str] = {}
        self.attribute_updates: list[dict[str, str]] = []
        """Every ``set_attributes`` call, in order (tests read it)."""
        self.published: list[FakeTrackPublication] = []
        self.text_streams: list[tuple[str, str]] = []
        """(topic, text) of every closed text stream (agent and caller transcriptions)."""
        self.transcriptions: list[rtc.Transcription] = []
        self.byte_streams: list[tuple[str, int]] = []
        """(topic, size in bytes) of every ``send_bytes`` (LiveKit's session events for the Playground)."""

    @property
    def identity(self) -> str:
        """The agent's identity in the room."""
        return self._identity

    @property
    def sid(self) -> str:
        """The participant id."""
        return self._sid

    @property
    def kind(self) -> int:
        """An agent participant."""
        return rtc.ParticipantKind.PARTICIPANT_KIND_AGENT

    @property
    def attributes(self) -> dict[str, str]:
        """The current attributes (merged from every ``set_attributes``)."""
        return dict(self._attributes)

    @property
    def track_publications(self) -> dict[str, FakeTrackPublication]:
        """Published tracks by sid."""
        return {p.sid: p for p in self.published}

    async def set_attributes(self, attributes: dict[str, str]) -> None:
        """Merge ``attributes`` into this participant's attributes (as the server does)."""
        self._attributes.update(attributes)
        self.attribute_updates.append(dict(attributes))

    async def publish_track(
        self, track: rtc.LocalTrack, options: rtc.TrackPublishOptions | None = None
    ) -> FakeTrackPublication:
        """Record the track (the agent's voice) and return a publication."""
        publication = FakeTrackPublication(track, options or rtc.TrackPublishOptions())
        self.published.append(publication)
        return publication

    async def publish_transcription(self, transcription: rtc.Transcription) -> None:
        """Record a (legacy) transcription."""
        self.transcriptions.append(transcription)

    async def send_bytes(
        self,
        data: bytes,
        *,
        topic: str = "",
        name: str | None = None,
        mime_type: str | None = None,
        destination_identities: list[str] | None = None,
        attributes: dict[str, str] | None = None,
        stream_id: str | None = None,
        compress: bool = True,
    ) -> rtc.ByteStreamInfo:
        """Record a byte stream's topic and size."""
        self.byte_streams.append((topic, len(data)))
        return rtc.ByteStreamInfo(
            stream_id=stream_id or _sid("BS_"),
            mime_type=mime_type or "application/octet-stream",
            topic=topic,
            timestamp=0,
            size=len(data),
            attributes=attributes or {},
            name=name or "",
        )

    async def stream_text(
        self,
        *,
        destination_identities: list[str] | None = None,
        topic: str = "",
        attributes: dict[str, str] | None = None,
        stream_id: str | None = None,
        reply_to_id: str | None = None,
        total_size: int | None = None,
        sender_identity: str | None = None,
    ) -> FakeTextStreamWriter:
        """Open a text stream; its text is recorded in :attr:`text_streams` when closed."""
        return FakeTextStreamWriter(topic, self.text_streams)


class FakeRemoteParticipant:
    """A caller in the room: a web participant, or a SIP participant with ``sip.*`` attributes."""

    def __init__(self, identity: str, *, kind: int, attributes: dict[str, str] | None = None) -> None:
        self._identity = identity
        self._sid = _sid("PA_")
        self._kind = kind
        self._attributes = dict(attributes or {})
        self._disconnect_reason: int | None = None

    @property
    def identity(self) -> str:
        """The caller's identity."""
        return self._identity

    @property
    def sid(self) -> str:
        """The participant id."""
        return self._sid

    @property
    def name(self) -> str:
        """Display name (the identity here)."""
        return self._identity

    @property
    def kind(self) -> int:
        """``rtc.ParticipantKind`` value (``PARTICIPANT_KIND_SIP`` for a phone caller)."""
        return self._kind

    @property
    def attributes(self) -> dict[str, str]:
        """The participant's attributes (``sip.phoneNumber`` on phone calls)."""
        return dict(self._attributes)

    @property
    def metadata(self) -> str:
        """No metadata."""
        return ""

    @property
    def track_publications(self) -> dict[str, Any]:
        """No published tracks: the fake caller sends text and keypad digits, not audio."""
        return {}

    @property
    def disconnect_reason(self) -> int | None:
        """Why the participant left (``None`` while connected)."""
        return self._disconnect_reason

    @property
    def state(self) -> int:
        """``PARTICIPANT_STATE_ACTIVE`` once joined, ``..._DISCONNECTED`` after hanging up."""
        if self._disconnect_reason is not None:
            return rtc.ParticipantState.PARTICIPANT_STATE_DISCONNECTED
        return rtc.ParticipantState.PARTICIPANT_STATE_ACTIVE


@dataclass
class _TextReader:
    """What a text stream handler receives: ``info`` and ``read_all()`` like ``rtc.TextStreamReader``."""

    text: str
    info: rtc.TextStreamInfo = field(
        default_factory=lambda: rtc.TextStreamInfo(
            stream_id=_sid("ST_"),
            mime_type="text/plain",
            topic="lk.chat",
            timestamp=0,
            size=None,
            attributes={},
            attachments=[],
        )
    )

    async def read_all(self) -> str:
        return self.text

    async def aclose(self) -> None:
        return None


class FakeRoom(rtc.EventEmitter[str]):
    """A connected room with no server behind it (see the module docstring)."""

    def __init__(self, name: str = "call-test", *, agent_identity: str = "agent-desk") -> None:
        super().__init__()
        self._name = name
        self._sid = _sid("RM_")
        self._local = FakeLocalParticipant(agent_identity)
        self._remote: dict[str, FakeRemoteParticipant] = {}
        self._text_handlers: dict[str, Callable[..., Any]] = {}
        self._byte_handlers: dict[str, Callable[..., Any]] = {}
        self._connected = True
        self._reading: set[asyncio.Future[Any]] = set()

    # ------------------------------------------------------------------ rtc.Room's interface

    @property
    def name(self) -> str:
        """The room name."""
        return self._name

    @property
    def sid(self) -> str:
        """The room id."""
        return self._sid

    @property
    def metadata(self) -> str:
        """No room metadata."""
        return ""

    @property
    def local_participant(self) -> FakeLocalParticipant:
        """The agent's participant."""
        return self._local

    @property
    def remote_participants(self) -> dict[str, FakeRemoteParticipant]:
        """Callers in the room by identity."""
        return self._remote

    @property
    def connection_state(self) -> int:
        """Connected until :meth:`disconnect`."""
        return rtc.ConnectionState.CONN_CONNECTED if self._connected else rtc.ConnectionState.CONN_DISCONNECTED

    def isconnected(self) -> bool:
        """Whether the agent is in the room."""
        return self._connected

    async def disconnect(self, *, reason: int = rtc.DisconnectReason.CLIENT_INITIATED) -> None:
        """Leave the room."""
        self._connected = False
        self.emit("disconnected", reason)

    def register_text_stream_handler(self, topic: str, handler: Callable[..., Any]) -> None:
        """Handle text streams on ``topic`` (LiveKit raises ``ValueError`` when one is already set)."""
        if topic in self._text_handlers:
            raise ValueError(f"text stream handler for topic '{topic}' already set")
        self._text_handlers[topic] = handler

    def unregister_text_stream_handler(self, topic: str) -> None:
        """Stop handling text streams on ``topic``."""
        self._text_handlers.pop(topic, None)

    def register_byte_stream_handler(self, topic: str, handler: Callable[..., Any]) -> None:
        """Handle byte streams on ``topic``."""
        if topic in self._byte_handlers:
            raise ValueError(f"byte stream handler for topic '{topic}' already set")
        self._byte_handlers[topic] = handler

    def unregister_byte_stream_handler(self, topic: str) -> None:
        """Stop handling byte streams on ``topic``."""
        self._byte_handlers.pop(topic, None)

    # ------------------------------------------------------------------ what a test does to the room

    def join_web_caller(self, identity: str = "web-caller") -> FakeRemoteParticipant:
        """A Playground user joins."""
        return self._join(FakeRemoteParticipant(identity, kind=rtc.ParticipantKind.PARTICIPANT_KIND_STANDARD))

    def join_phone_caller(self, number: str, identity: str = "sip-caller") -> FakeRemoteParticipant:
        """A phone caller joins through the SIP trunk (``sip.phoneNumber`` = ``number``, an inbound rule id)."""
        attributes = {"sip.phoneNumber": number, "sip.ruleID": "SDR_test", "sip.callStatus": "active"}
        return self._join(
            FakeRemoteParticipant(identity, kind=rtc.ParticipantKind.PARTICIPANT_KIND_SIP, attributes=attributes)
        )

    def _join(self, participant: FakeRemoteParticipant) -> FakeRemoteParticipant:
        self._remote[participant.identity] = participant
        self.emit("participant_connected", participant)
        self.emit("participant_active", participant)
        return participant

    def send_chat(self, identity: str, text: str) -> bool:
        """The caller types ``text`` in the Playground chat (the ``lk.chat`` text stream).

        Returns:
            Whether a handler took it (``False`` when the agent registered none).
        """
        handler = self._text_handlers.get("lk.chat")
        if handler is None:
            return False
        handler(_TextReader(text), identity)
        return True

    def press_keys(self, identity: str, keys: str) -> None:
        """The phone caller presses ``keys`` on the keypad (one ``sip_dtmf_received`` event per key)."""
        participant = self._remote[identity]
        for key in keys:
            code = {"*": 10, "#": 11}.get(key, int(key) if key.isdigit() else 0)
            self.emit("sip_dtmf_received", rtc.SipDTMF(code=code, digit=key, participant=participant))  # type: ignore[arg-type]

    def hang_up(self, identity: str) -> None:
        """The caller leaves (hangs up the phone or closes the Playground)."""
        participant = self._remote.pop(identity)
        participant._disconnect_reason = rtc.DisconnectReason.CLIENT_INITIATED
        self.emit("participant_disconnected", participant)
