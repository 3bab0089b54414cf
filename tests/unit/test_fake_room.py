"""The fake room has LiveKit's exact interface: every public member of each fake exists on its
``livekit.rtc`` counterpart, as the same kind (property or method, sync or async) with the same
parameter names. A change of LiveKit's interface fails here, not silently in the entrypoint test."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from livekit import rtc

from worker.testing.fake_room import (
    FakeLocalParticipant,
    FakeRemoteParticipant,
    FakeRoom,
    FakeTextStreamWriter,
    FakeTrackPublication,
)

TEST_ONLY = {"join_web_caller", "join_phone_caller", "send_chat", "press_keys", "hang_up"}
"""What a test does to the room (a person joining, typing, pressing keys); not part of rtc.Room."""
RECORDINGS = {"attribute_updates", "published", "text_streams", "transcriptions", "byte_streams", "info"}
"""Instance attributes where the fakes record what the agent did."""

PAIRS = [
    (FakeRoom, rtc.Room),
    (FakeLocalParticipant, rtc.LocalParticipant),
    (FakeRemoteParticipant, rtc.RemoteParticipant),
    (FakeTrackPublication, rtc.LocalTrackPublication),
    (FakeTextStreamWriter, rtc.TextStreamWriter),
]


def _public(cls: type) -> dict[str, Any]:
    own = {}
    for klass in cls.__mro__:
        if klass.__module__ == "worker.testing.fake_room":
            own.update({k: v for k, v in vars(klass).items() if not k.startswith("_")})
    return {k: v for k, v in own.items() if k not in TEST_ONLY | RECORDINGS}


@pytest.mark.parametrize(("fake", "real"), PAIRS, ids=[f.__name__ for f, _ in PAIRS])
def test_every_fake_member_matches_livekit(fake: type, real: type) -> None:
    members = _public(fake)
    assert members, f"{fake.__name__} defines nothing"
    for name, member in members.items():
        assert hasattr(real, name), f"{fake.__name__}.{name} does not exist on {real.__name__}"
        theirs = inspect.getattr_static(real, name)
        if isinstance(member, property):
            assert isinstance(theirs, property), f"{name} is a property here but not in LiveKit"
            continue
        assert callable(theirs) and not isinstance(theirs, property), f"{name} is a method here but not in LiveKit"
        assert inspect.iscoroutinefunction(member) == inspect.iscoroutinefunction(theirs), (
            f"{fake.__name__}.{name}: async-ness differs from LiveKit"
        )
        ours = list(inspect.signature(member).parameters)
        real_params = list(inspect.signature(theirs).parameters)
        assert ours == real_params, f"{fake.__name__}.{name}{ours} != LiveKit {real_params}"


def test_the_room_emits_what_livekit_emits() -> None:
    room = FakeRoom()
    seen: list[str] = []
    for event in ("participant_connected", "participant_active", "participant_disconnected", "sip_dtmf_received"):
        room.on(event, lambda *_, e=event: seen.append(e))
    caller = room.join_phone_caller("+14155550134")
    assert caller.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP
    assert caller.attributes["sip.phoneNumber"] == "+14155550134"
    room.press_keys(caller.identity, "12#")
    room.hang_up(caller.identity)
    assert seen == [
        "participant_connected",
        "participant_active",
        "sip_dtmf_received",
        "sip_dtmf_received",
        "sip_dtmf_received",
        "participant_disconnected",
    ]
    assert caller.state == rtc.ParticipantState.PARTICIPANT_STATE_DISCONNECTED
