"""Desk metrics on the Prometheus registry LiveKit serves, after scripted offline calls; and the
multiprocess mode that brings the job processes' metrics to the main process's /metrics."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from livekit.agents.llm import ChatMessage
from livekit.agents.voice.events import ConversationItemAddedEvent
from prometheus_client import REGISTRY

from agents.human import HumanAgent
from call.context import AuthStep
from services.demo_data import AVA
from worker.metrics import MULTIPROC_ENV, attach_metrics, enable_multiprocess, reply_e2e_latency
from worker.settings import Settings
from worker.testing import OfflineCall, Reply, ScriptedLLM, offline_call

ROOT = Path(__file__).resolve().parents[2]


def value(name: str, **labels: str) -> float:
    """A sample's current value in the default registry (0 when the labelled series does not exist yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Delta:
    """Sample values before a block, to assert on what the block added (the registry is process-wide)."""

    def __init__(self, *samples: tuple[str, dict[str, str]]) -> None:
        self._before = {(name, tuple(sorted(labels.items()))): value(name, **labels) for name, labels in samples}

    def __call__(self, name: str, **labels: str) -> float:
        return value(name, **labels) - self._before[(name, tuple(sorted(labels.items())))]


async def _to_last_four(call: OfflineCall) -> None:
    for line in ("Hi, I'm Ava and I want to return a jacket", "four one five, five five five, zero one three four"):
        await call.say(line)
    await call.say("yes")
    await call.say("April twelfth, 1988")
    assert call.userdata.verification.step is AuthStep.LAST_FOUR


@pytest.mark.asyncio
async def test_lockout_and_transfer_to_a_person(db_url: str) -> None:
    delta = Delta(
        ("marketplace_verification_outcomes_total", {"outcome": "failed"}),
        ("marketplace_verification_outcomes_total", {"outcome": "locked_out"}),
        ("marketplace_verification_outcomes_total", {"outcome": "verified"}),
        ("marketplace_lockouts_total", {"cause": "failed_checks"}),
        ("marketplace_transfers_total", {"from_agent": "authentication", "to_agent": "human"}),
        ("marketplace_handoff_latency_seconds_count", {"to_agent": "human"}),
    )
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        attach_metrics(call.session)
        await _to_last_four(call)
        for attempt in range(3):
            await call.say("SSN one one one one")
            if attempt < 2:
                await call.say("April twelfth 1988")
        assert call.userdata.verification.locked_out
        llm.push(Reply.say("I'm the escalation assistant; a person will follow up."))
        await call.say("yes")
        assert type(call.session.current_agent) is HumanAgent
        await call.settle()

    assert delta("marketplace_verification_outcomes_total", outcome="failed") == 3
    assert delta("marketplace_verification_outcomes_total", outcome="locked_out") == 1
    assert delta("marketplace_verification_outcomes_total", outcome="verified") == 0
    assert delta("marketplace_lockouts_total", cause="failed_checks") == 1
    assert delta("marketplace_transfers_total", from_agent="authentication", to_agent="human") == 1
    assert delta("marketplace_handoff_latency_seconds_count", to_agent="human") == 1


@pytest.mark.asyncio
async def test_verified_tool_calls_and_tool_errors(db_url: str) -> None:
    delta = Delta(
        ("marketplace_verification_outcomes_total", {"outcome": "verified"}),
        ("marketplace_transfers_total", {"from_agent": "authentication", "to_agent": "returns"}),
        ("marketplace_tool_calls_total", {"tool": "check_return_eligibility"}),
        ("marketplace_tool_errors_total", {"tool": "check_return_eligibility"}),
        ("marketplace_handoff_latency_seconds_count", {"to_agent": "returns"}),
    )
    llm = ScriptedLLM()
    async with offline_call(llm=llm, database_url=db_url) as call:
        attach_metrics(call.session)
        attach_metrics(call.session)  # idempotent: facts are still counted once
        await _to_last_four(call)
        await call.say("SSN, four eight two one")
        await call.say("Yes, that's still correct")
        llm.push(Reply.say("Hi Ava, I'm the returns specialist."))
        await call.say("No thanks, not right now")
        assert call.userdata.current_agent == "returns"
        llm.push(
            Reply.call("check_return_eligibility", order_number="ORD-999999", condition="unused"),
            Reply.say("I couldn't find that order."),
        )
        await call.say("Order nine nine nine nine nine nine")
        llm.push(
            Reply.call("check_return_eligibility", order_number="100101", condition="unused"),
        )
        await call.say("Sorry, order one zero zero one zero one, unworn")

    assert delta("marketplace_verification_outcomes_total", outcome="verified") == 1
    assert delta("marketplace_transfers_total", from_agent="authentication", to_agent="returns") == 1
    assert delta("marketplace_handoff_latency_seconds_count", to_agent="returns") == 1
    assert delta("marketplace_tool_calls_total", tool="check_return_eligibility") == 2
    assert delta("marketplace_tool_errors_total", tool="check_return_eligibility") == 1


@pytest.mark.asyncio
async def test_turn_latency_from_the_replies_end_to_end_figure() -> None:
    """LiveKit puts ``e2e_latency`` on each spoken reply's ``ChatMessage.metrics`` (audio calls only): the
    histogram observes it from the session's ``conversation_item_added`` event, labelled by agent."""
    delta = Delta(
        ("marketplace_turn_latency_seconds_count", {"agent": "returns"}),
        ("marketplace_turn_latency_seconds_sum", {"agent": "returns"}),
        ("marketplace_turn_latency_seconds_bucket", {"agent": "returns", "le": "1.0"}),
    )
    llm = ScriptedLLM([Reply.say("Hi Ava, returns here.")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA) as call:
        attach_metrics(call.session)
        for seconds in (0.8, 1.6):
            reply = ChatMessage(role="assistant", content=["Sure."], metrics={"e2e_latency": seconds})
            call.session.emit("conversation_item_added", ConversationItemAddedEvent(item=reply))
        caller = ChatMessage(role="user", content=["hi"], metrics={"e2e_latency": 9.0})  # not a reply: ignored
        call.session.emit("conversation_item_added", ConversationItemAddedEvent(item=caller))
        await asyncio.sleep(0)

    assert delta("marketplace_turn_latency_seconds_count", agent="returns") == 2
    assert delta("marketplace_turn_latency_seconds_sum", agent="returns") == pytest.approx(2.4)
    assert delta("marketplace_turn_latency_seconds_bucket", agent="returns", le="1.0") == 1


@pytest.mark.asyncio
async def test_a_reply_spoken_by_code_gets_its_end_to_end_latency_derived() -> None:
    """``session.say`` replies (code-led turns) carry no ``e2e_latency`` from LiveKit: it is derived from the
    caller message's ``stopped_speaking_at`` and the reply's ``started_speaking_at``, first reply only."""
    delta = Delta(("marketplace_turn_latency_seconds_count", {"agent": "returns"}))
    llm = ScriptedLLM([Reply.say("Hi Ava, returns here.")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA) as call:
        attach_metrics(call.session)
        caller = ChatMessage(role="user", content=["yes"], metrics={"stopped_speaking_at": 100.0})
        first = ChatMessage(role="assistant", content=["Done."], metrics={"started_speaking_at": 100.9})
        second = ChatMessage(role="assistant", content=["Anything else?"], metrics={"started_speaking_at": 103.0})
        for item in (caller, first, second):
            call.session.emit("conversation_item_added", ConversationItemAddedEvent(item=item))
    assert delta("marketplace_turn_latency_seconds_count", agent="returns") == 1


def test_reply_e2e_latency_rules() -> None:
    assert reply_e2e_latency({"e2e_latency": 1.2, "started_speaking_at": 50.0}, 10.0) == 1.2, "LiveKit's figure wins"
    assert reply_e2e_latency({"started_speaking_at": 11.5}, 10.0) == pytest.approx(1.5)
    assert reply_e2e_latency({"started_speaking_at": 11.5}, None) is None, "a greeting answers no caller turn"
    assert reply_e2e_latency({"started_speaking_at": 9.0}, 10.0) is None, "started before the caller stopped"
    assert reply_e2e_latency({}, 10.0) is None, "a text call has no audio timestamps"


def test_enable_multiprocess_needs_the_port_and_keeps_an_existing_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MULTIPROC_ENV, "placeholder")  # so that monkeypatch restores the original state
    monkeypatch.delenv(MULTIPROC_ENV)
    assert enable_multiprocess(Settings(_env_file=None)) is None
    assert MULTIPROC_ENV not in os.environ

    folder = tmp_path / "prom"
    settings = Settings(_env_file=None, prometheus_port=9464, prometheus_multiproc_dir=folder)
    assert enable_multiprocess(settings) == folder and folder.is_dir()
    assert os.environ[MULTIPROC_ENV] == str(folder)

    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path / "from-env"))
    assert enable_multiprocess(settings) == tmp_path / "from-env", "the environment wins"


JOB_PROCESS = """
import asyncio, sys
sys.path.insert(0, {root!r})
from worker.metrics import desk_metrics
m = desk_metrics()
m.transfers.labels(from_agent="authentication", to_agent="returns").inc(2)
m.tool_errors.labels(tool="check_return_eligibility").inc()
m.turn_latency.labels(agent="returns").observe(0.9)
"""


def test_job_process_metrics_reach_livekits_metrics_endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A job process (here: a fresh interpreter started with PROMETHEUS_MULTIPROC_DIR, as LiveKit's job
    processes inherit it) records desk metrics; the main process's /metrics handler (LiveKit's own,
    ``telemetry.http_server.metrics``) serves them."""
    from livekit.agents.telemetry.http_server import metrics as livekit_metrics_endpoint

    folder = tmp_path / "prom"
    folder.mkdir()
    env = {**os.environ, MULTIPROC_ENV: str(folder)}
    subprocess.run(
        [sys.executable, "-c", JOB_PROCESS.format(root=str(ROOT))], env=env, check=True, timeout=120, cwd=ROOT
    )
    assert list(folder.glob("*.db")), "the job process wrote its values to the shared folder"

    monkeypatch.setenv(MULTIPROC_ENV, str(folder))
    response = asyncio.run(livekit_metrics_endpoint(None))  # type: ignore[arg-type]
    body = response.body.decode()  # type: ignore[union-attr]

    assert 'marketplace_transfers_total{from_agent="authentication",to_agent="returns"} 2.0' in body
    assert 'marketplace_tool_errors_total{tool="check_return_eligibility"} 1.0' in body
    assert 'marketplace_turn_latency_seconds_count{agent="returns"} 1.0' in body


@pytest.mark.asyncio
async def test_a_guardrail_trip_is_counted_and_reported(db_url: str) -> None:
    """An invented refund amount is replaced before it is spoken: the trip reaches /metrics and the report."""
    from worker.report import build_report

    delta = Delta(("marketplace_guardrail_trips_total", {"reason": "ungrounded_amount"}))
    llm = ScriptedLLM()
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        attach_metrics(call.session)
        llm.push(Reply.say("Good news, you'll get a $50 refund today."))
        await call.say("How much will I get back for my jacket?")
        await call.settle()
        assert call.userdata.guardrail_trips == ["ungrounded_amount"]
        assert delta("marketplace_guardrail_trips_total", reason="ungrounded_amount") == 1
        report = build_report(call.session, mode="test", llm_label="scripted", wall_time_s=0.0, turns=[])
        assert report["outcome"]["guardrail_trips"] == ["ungrounded_amount"]
        assert "$50" not in str(report["transcript"])
