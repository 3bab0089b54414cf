"""The LiveKit line (``worker.phone_line.LiveKitPhoneLine``) against a fake of exactly what it uses of
LiveKit's ``JobContext``: ``transfer_sip_participant``, ``delete_room`` and ``room``. What only a live
LiveKit project with a SIP trunk can show (the REFER reaching the provider, a warm transfer's merge) is
listed in the README."""

from __future__ import annotations

import asyncio
import inspect
from dataclasses import dataclass, field
from typing import Any

import pytest
from livekit import rtc
from livekit.agents import JobContext
from pydantic import ValidationError

from call.phone_line import TransferFailedError, TransferUnavailableError, e164_problem
from worker.phone_line import JobLine, LiveKitPhoneLine
from worker.settings import Settings

pytestmark = [pytest.mark.unit, pytest.mark.asyncio]

NUMBER = "+14155550100"


@dataclass
class FakeRoom:
    name: str = "call-room-1"


@dataclass
class FakeJob:
    """The three members of ``JobContext`` the line uses, recording each call."""

    refer_error: Exception | None = None
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    _room: FakeRoom = field(default_factory=FakeRoom)

    @property
    def room(self) -> Any:
        return self._room

    def transfer_sip_participant(
        self, participant: rtc.RemoteParticipant | str, transfer_to: str, play_dialtone: bool = False
    ) -> asyncio.Future[None]:
        self.calls.append(("transfer_sip_participant", participant, transfer_to, play_dialtone))
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.refer_error is not None:
            fut.set_exception(self.refer_error)
        else:
            fut.set_result(None)
        return fut

    def delete_room(self, room_name: str | None = None) -> asyncio.Future[None]:
        self.calls.append(("delete_room", room_name))
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut


@dataclass
class FakeParticipant:
    identity: str
    kind: int


def _line(job: FakeJob, *, phone: bool = True, trunk: str | None = None) -> LiveKitPhoneLine:
    typed: JobLine = job
    return LiveKitPhoneLine(typed, identity="sip_+15551230000", is_phone=phone, outbound_trunk_id=trunk)


async def test_the_fake_has_the_exact_shape_of_jobcontext() -> None:
    for name in ("transfer_sip_participant", "delete_room"):
        real = list(inspect.signature(getattr(JobContext, name)).parameters)
        fake = list(inspect.signature(getattr(FakeJob, name)).parameters)
        assert fake == real, name
    assert isinstance(inspect.getattr_static(JobContext, "room"), property)


async def test_cold_transfer_is_a_sip_refer_without_dial_tone() -> None:
    job = FakeJob()
    await _line(job).transfer_cold(NUMBER)
    assert job.calls == [("transfer_sip_participant", "sip_+15551230000", f"tel:{NUMBER}", False)]


async def test_a_refused_refer_is_a_failed_transfer() -> None:
    job = FakeJob(refer_error=RuntimeError("twirp error: SIP 403 forbidden"))
    with pytest.raises(TransferFailedError):
        await _line(job).transfer_cold(NUMBER)


async def test_a_web_caller_cannot_be_transferred_but_can_be_hung_up() -> None:
    job = FakeJob()
    line = _line(job, phone=False)
    assert not line.is_phone
    with pytest.raises(TransferUnavailableError):
        await line.transfer_cold(NUMBER)
    with pytest.raises(TransferUnavailableError):
        await line.transfer_warm(NUMBER, "briefing")
    assert job.calls == []
    await line.hang_up()
    assert job.calls == [("delete_room", None)]


async def test_hang_up_deletes_the_room() -> None:
    job = FakeJob()
    await _line(job).hang_up()
    assert job.calls == [("delete_room", None)]


async def test_warm_transfer_needs_an_outbound_trunk_and_a_livekit_job() -> None:
    job = FakeJob()
    with pytest.raises(TransferUnavailableError, match="outbound SIP trunk"):
        await _line(job).transfer_warm(NUMBER, "briefing")
    with pytest.raises(TransferUnavailableError, match="LiveKit job"):
        await _line(job, trunk="ST_abc").transfer_warm(NUMBER, "briefing")
    assert job.calls == [] and not _line(job).bridged


async def test_the_line_of_a_participant_follows_its_kind_and_the_settings() -> None:
    settings = Settings(_env_file=None, livekit_sip_outbound_trunk="ST_abc")  # type: ignore[call-arg]
    job = FakeJob()
    sip = LiveKitPhoneLine.for_participant(
        job,
        FakeParticipant("sip_+1555", rtc.ParticipantKind.PARTICIPANT_KIND_SIP),
        settings,  # type: ignore[arg-type]
    )
    web = LiveKitPhoneLine.for_participant(
        job,
        FakeParticipant("web-user", rtc.ParticipantKind.PARTICIPANT_KIND_STANDARD),
        settings,  # type: ignore[arg-type]
    )
    assert sip.is_phone and not web.is_phone
    await sip.transfer_cold(NUMBER)
    assert job.calls[-1][1] == "sip_+1555"


@pytest.mark.parametrize("number", ["+14155550100", "+442079460958", "+4915112345678"])
async def test_e164_numbers_are_accepted(number: str) -> None:
    assert e164_problem(number) is None
    settings = Settings(_env_file=None, human_transfer_number=number, human_transfer_mode="warm")  # type: ignore[call-arg]
    target = settings.human_transfer_target()
    assert target is not None and (target.number, target.mode) == (number, "warm")


@pytest.mark.parametrize(
    "number", ["4155550100", "+1 415 555 0100", "+0415555010", "tel:+14155550100", "+1415", "+1" + "2" * 15]
)
async def test_anything_but_e164_is_refused_at_startup(number: str) -> None:
    assert e164_problem(number) is not None
    with pytest.raises(ValidationError, match=r"E\.164"):
        Settings(_env_file=None, human_transfer_number=number)  # type: ignore[call-arg]


async def test_no_number_means_the_ai_stand_in() -> None:
    assert Settings(_env_file=None, human_transfer_number="").human_transfer_target() is None  # type: ignore[call-arg]
