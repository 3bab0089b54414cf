"""The worker's own ``rtc_session`` entrypoint, run in-process under LiveKit's fake job context
with a fake room of the exact interface (``worker/testing/fake_room.py``): callers join, the
session starts at authentication, participant attributes follow the call, the caller hangs up and
the redacted report is written. Only the LiveKit server is faked; the session, agents, database
and report are the real ones (the LLM is scripted; code answers every turn here)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from livekit.agents import AgentSession
from livekit.agents.job import JobContext
from livekit.agents.testing import fake_job_context

from agents.authentication import GREETING
from call.context import CustomerContext
from worker import server
from worker.settings import Settings
from worker.testing import ScriptedLLM
from worker.testing.fake_room import FakeRoom
from worker.testing.fake_tts import SilentTTS
from worker.testing.seam import TEST_SALT

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]


@dataclass
class _Providers:
    """What :func:`worker.providers.build_providers` returns, with the scripted model and no audio models."""

    llm: ScriptedLLM
    tts: SilentTTS
    stt: None = None
    turn_handling: None = None

    def attach(self, session: AgentSession[CustomerContext]) -> None:
        """Like :meth:`worker.providers.Providers.attach` for a plain LLM: nothing to bind."""


@dataclass
class LiveCall:
    room: FakeRoom
    job: JobContext
    llm: ScriptedLLM
    reports: Path

    @property
    def session(self) -> AgentSession[CustomerContext]:
        session = self.job._primary_agent_session
        assert session is not None, "the entrypoint did not start a session"
        return session

    def spoken(self) -> list[str]:
        items = self.session.history.items
        return [i.text_content or "" for i in items if i.type == "message" and i.role == "assistant"]

    async def type(self, identity: str, text: str) -> str:
        """The caller types ``text`` in the Playground chat; returns the agent's next line."""
        before = len(self.spoken())
        assert self.room.send_chat(identity, text), "no lk.chat handler registered"
        await until(lambda: len(self.spoken()) > before)
        return self.spoken()[-1]

    async def shut_down(self, reason: str) -> None:
        """What LiveKit's job runner does at the end of a job: await every shutdown callback
        (``ipc/job_proc_lazy_main.py`` iterates ``JobContext._shutdown_callbacks``)."""
        for callback in self.job._shutdown_callbacks:
            await callback(reason)


async def until(condition: Callable[[], Any], within_s: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def live_call(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, join: Callable[[FakeRoom], Any]
) -> AsyncIterator[LiveCall]:
    settings = Settings(
        _env_file=None,
        provider_profile="local",
        database_url=db_url,
        secret_salt=TEST_SALT,
        reports_dir=tmp_path / "reports",
    )
    llm = ScriptedLLM()
    monkeypatch.setattr(server, "build_providers", lambda settings, preloaded=None: _Providers(llm, SilentTTS()))
    room = FakeRoom("call-entrypoint")
    with fake_job_context(room=room) as job:  # type: ignore[arg-type]
        job.proc.userdata["settings"] = settings
        entry = asyncio.ensure_future(server.entrypoint(job))
        await asyncio.sleep(0)
        join(room)
        await asyncio.wait_for(entry, timeout=15)
        call = LiveCall(room=room, job=job, llm=llm, reports=settings.reports_dir)
        await until(lambda: bool(call.spoken()))
        try:
            yield call
        finally:
            await call.session.aclose()


async def test_web_caller_through_the_entrypoint(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with live_call(db_url, tmp_path, monkeypatch, lambda room: room.join_web_caller("playground-user")) as call:
        ctx = call.session.userdata
        assert ctx.channel == "web" and ctx.caller_number is None
        assert call.spoken() == [f"{GREETING} May I have your first name?"]
        attrs = call.room.local_participant.attributes
        assert attrs["desk.agent"] == "authentication"
        assert attrs["desk.verification"] == "unverified"
        assert attrs["desk.last_transfer"] == ""

        line = await call.type("playground-user", "Hi, I'm Ava")
        assert line == "Thanks, Ava. What's the phone number on your account?"
        await until(lambda: call.room.local_participant.attributes["desk.verification"] == "in_progress")
        assert call.room.local_participant.attributes["desk.verification_step"] == "phone"
        await call.type("playground-user", "four one five, five five five, zero one three four")
        await call.type("playground-user", "yes")
        await call.type("playground-user", "April twelfth, 1988")
        line = await call.type("playground-user", "SSN, four eight two one")
        assert line.startswith("Thank you, Ava, you're verified.")
        await until(lambda: call.room.local_participant.attributes["desk.verification_step"] == "address")
        assert call.llm.requests == [], "code answered every turn; no LLM request"

        # A chat line from someone else in the room is not the caller's turn.
        assert call.room.send_chat("someone-else", "yes")
        await asyncio.sleep(0.2)
        assert ctx.verification.step.value == "address"

        closed: list[Any] = []
        call.session.on("close", closed.append)
        call.room.hang_up("playground-user")
        await until(lambda: bool(closed), within_s=10)
        assert closed[0].reason.value == "participant_disconnected"
        published = dict(call.room.local_participant.text_streams)
        assert "lk.transcription" in published, "agent speech is published to the room for the Playground"
        await call.shut_down("participant hung up")
        reports = list(call.reports.glob("call-entrypoint-*.json"))
        assert len(reports) == 1
        report = json.loads(reports[0].read_text())
        text = json.dumps(report)
        assert report["mode"] == "live" and report["outcome"]["verified"] is True
        assert report["shutdown_reason"] == "participant hung up", report.keys()
        for secret in ("4821", "0134", "1988", "four eight two one"):
            assert secret not in text, f"{secret!r} leaked into the report"
        assert [e["role"] for e in report["transcript"]][:3] == ["agent", "caller", "agent"]


async def test_phone_caller_is_recognised(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with live_call(
        db_url, tmp_path, monkeypatch, lambda room: room.join_phone_caller("+14155550134", identity="sip_+14155550134")
    ) as call:
        ctx = call.session.userdata
        assert ctx.channel == "phone" and ctx.caller_number == "+14155550134"
        assert call.room.local_participant.attributes["desk.agent"] == "authentication"
        assert call.spoken()[0].startswith(GREETING)


async def test_phone_caller_keys_in_through_the_entrypoint(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keypad is attached on phone calls: keyed answers reach the code-led steps."""
    caller = "sip_+14155550134"
    async with live_call(
        db_url, tmp_path, monkeypatch, lambda room: room.join_phone_caller("+14155550134", caller)
    ) as call:
        ctx = call.session.userdata
        await call.type(caller, "Hi, I'm Ava")
        assert ctx.verification.step.value in ("phone", "phone_confirm")
        before = len(call.spoken())
        call.room.press_keys(caller, "1#")
        await until(lambda: len(call.spoken()) > before)
        assert ctx.verification.step.value == "date_of_birth", call.spoken()[-1]
        assert ctx.verification.phone == "+14155550134"
        assert "1#" not in json.dumps(call.session.history.to_dict())


async def test_a_dropped_phone_call_is_offered_back_in_the_next_job(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two jobs on one database (as two worker processes would be): the caller verifies, the line
    drops, and the next call from the same number starts with the offer to continue."""
    from agents.steps.resume import OFFER_QUESTION

    number, caller = "+14155550134", "sip_+14155550134"
    async with live_call(db_url, tmp_path, monkeypatch, lambda room: room.join_phone_caller(number, caller)) as call:
        await call.type(caller, "Hi, I'm Ava")
        await call.type(caller, "yes")
        await call.type(caller, "April twelfth, 1988")
        line = await call.type(caller, "SSN, four eight two one")
        assert line.startswith("Thank you, Ava, you're verified.")
        call.room.hang_up(caller)  # the line drops: no goodbye
        await call.shut_down("participant disconnected")
    async with live_call(db_url, tmp_path, monkeypatch, lambda room: room.join_phone_caller(number, caller)) as again:
        assert again.spoken()[0].endswith(OFFER_QUESTION)
        assert again.session.userdata.resumable is not None


async def test_a_goodbye_ends_the_call_and_deletes_the_room(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The line is wired: a clear goodbye is answered by code, the session ends after it has played."""
    async with live_call(db_url, tmp_path, monkeypatch, lambda room: room.join_web_caller("playground-user")) as call:
        closed: list[Any] = []
        call.session.on("close", closed.append)
        line = await call.type("playground-user", "no, that's everything, goodbye")
        assert "goodbye" in line.casefold() or "bye" in line.casefold(), line
        await until(lambda: bool(closed), within_s=10)
        assert call.session.userdata.ended_by == "goodbye"
        assert call.llm.requests == []
