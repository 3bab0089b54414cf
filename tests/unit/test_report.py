"""The call report: one builder for live calls and simulate; tool outcome and duration, transfers, latency
summary, usage and cost, outcome, PII redaction, and writing with retention."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest
from livekit.agents.voice.events import CloseReason

from call.context import AuthStep, CustomerContext
from services.demo_data import AVA
from worker.observability import observe_call
from worker.report import (
    build_report,
    ended_by,
    latency_summary,
    percentile,
    prune_reports,
    report_file_name,
    write_call_report,
)
from worker.settings import Settings
from worker.testing import Reply, ScriptedLLM, offline_call

PHONE = "415" + "555" + "0134"
SPOKEN_PHONE = "four one five, five five five, zero one three four"


def _settings(tmp_path: Path, retention_days: int = 30) -> Settings:
    return Settings(_env_file=None, reports_dir=tmp_path / "reports", report_retention_days=retention_days)


@pytest.mark.asyncio
async def test_report_of_a_scripted_call(db_url: str) -> None:
    """A tool error, a successful tool, a transfer: every figure the report promises, and no caller digits."""
    llm = ScriptedLLM([Reply.say("Hi Ava, returns here. Which order?")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        observe_call(call.session)
        llm.push(
            Reply.call("check_return_eligibility", order_number="ORD-999999", condition="unused"),
            Reply.say("I couldn't find that order."),
        )
        await call.say(f"The jacket from order nine nine nine nine nine nine, my number is {SPOKEN_PHONE}")
        llm.push(
            Reply.transfer("order_tracking", f"caller wants an order tracked, phone {PHONE}"),
            Reply.say("Order tracking here. Which order?"),
        )
        await call.say("Actually, where is my order?")
        session = call.session
    report = build_report(session, mode="text", llm_label="scripted", wall_time_s=2.5, turns=[])
    text = json.dumps(report)

    failed, transfer = report["tool_calls"]
    assert failed["name"] == "check_return_eligibility" and failed["agent"] == "returns"
    assert failed["outcome"] == "error" and failed["is_error"] is True
    assert "no order ORD-999999" in failed["output"]
    assert transfer["name"] == "transfer_to_agent" and transfer["outcome"] == "ok"
    for call_entry in report["tool_calls"]:
        # from the history items' created_at: tool start (LiveKit resets it when the tool runs) → output
        assert 0 <= call_entry["duration_s"] < 5 and call_entry["at_s"] >= 0

    (record,) = report["transfers"]
    assert (record["from"], record["to"]) == ("returns", "order_tracking")
    assert record["reason"] == "caller wants an order tracked, phone [redacted]"
    assert record["handoff_latency_s"] is not None and record["handoff_latency_s"] >= 0

    ttft = report["latency"]["llm_node_ttft"]
    assert ttft["count"] == 3 and 0 <= ttft["p50"] <= ttft["p95"] <= ttft["max"]
    assert "e2e_latency" not in report["latency"], "text calls have no audio, so no end-to-end figure"

    usage = report["usage"]
    (llm_usage,) = usage["models"]
    assert (llm_usage["provider"], llm_usage["model"]) == ("marketplace-tests", "scripted")
    assert llm_usage["cost_usd"] is None and usage["total_usd"] is None and usage["complete"] is False

    outcome = report["outcome"]
    assert outcome["verified"] is True and outcome["verification_outcome"] == "verified"
    assert outcome["final_agent"] == "order_tracking" and outcome["transfers"] == 1
    assert outcome["caller_turns"] == 2 and outcome["tool_errors"] == 1 and outcome["writes_done"] == 0
    assert outcome["close_reason"] == "user_initiated" and outcome["ended_by"] == "end_of_script"

    assert report["call_id"] == session.userdata.call_id and report["channel"] == "test"
    caller_lines = [e["text"] for e in report["transcript"] if e["role"] == "caller"]
    assert caller_lines[0] == "The jacket from order [redacted], my number is [redacted]"
    assert [e["agent"] for e in report["transcript"] if e["role"] == "agent"] == [
        "returns",
        "returns",
        "order_tracking",
    ]
    for secret in (PHONE, SPOKEN_PHONE, "0134"):
        assert secret not in text


@pytest.mark.asyncio
async def test_writes_done_and_a_pending_write_are_in_the_outcome(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Hi Ava, returns here.")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        llm.push(Reply.call("check_return_eligibility", order_number="100101", condition="unused"))
        await call.say("The jacket from order one zero zero one zero one, it's unworn")
        await call.say("Yes, please go ahead")
        llm.push(
            Reply.call("schedule_pickup", return_number="RET-500001", date="2026-11-20", window="morning"),
        )
        await call.say("Friday morning")
        report = build_report(call.session, mode="text", llm_label="scripted", wall_time_s=1.0, turns=[])
    outcome = report["outcome"]
    assert outcome["writes_done"] == 1 and outcome["actions"][0].startswith("Return RET-500001 opened")
    assert outcome["pending_write"] == "schedule_pickup", "read back, the caller has not said yes yet"
    assert outcome["ended_by"] is None, "the report was built before the session closed"


def test_percentile_is_linear_between_ranks() -> None:
    values = [0.5, 0.1, 0.3, 0.2, 0.4]
    assert percentile(values, 50) == pytest.approx(0.3)
    assert percentile(values, 95) == pytest.approx(0.48)
    assert percentile(values, 0) == 0.1 and percentile(values, 100) == 0.5
    assert percentile([0.7], 95) == 0.7
    with pytest.raises(ValueError):
        percentile([], 50)


def test_latency_summary_skips_metrics_without_samples() -> None:
    summary = latency_summary({"e2e_latency": [1.0, 2.0, 3.0, 4.0], "tts_node_ttfb": []})
    assert summary == {"e2e_latency": {"count": 4, "p50": 2.5, "p95": 3.85, "max": 4.0}}


@pytest.mark.parametrize(
    ("close_reason", "channel", "expected"),
    [
        (CloseReason.PARTICIPANT_DISCONNECTED, "phone", "hang_up"),
        (CloseReason.USER_INITIATED, "phone", "goodbye"),
        (CloseReason.USER_INITIATED, "simulation", "end_of_script"),
        (CloseReason.JOB_SHUTDOWN, "web", "drop"),
        (CloseReason.ERROR, "web", "error"),
        (None, "web", None),
    ],
)
def test_ended_by_follows_the_close_reason(close_reason: CloseReason | None, channel: str, expected: str) -> None:
    data = CustomerContext(services=None, channel=channel)  # type: ignore[arg-type]
    data.close_reason = None if close_reason is None else close_reason.value
    assert ended_by(data) == expected


def test_a_job_shut_down_with_the_session_still_open_is_a_drop() -> None:
    data = CustomerContext(services=None, channel="phone")  # type: ignore[arg-type]
    assert ended_by(data, shutdown_reason="room deleted") == "drop"
    data.close_reason = CloseReason.PARTICIPANT_DISCONNECTED.value
    assert ended_by(data, shutdown_reason="room deleted") == "hang_up"


def test_ended_by_what_the_code_that_ended_the_call_says_wins() -> None:
    data = CustomerContext(services=None, channel="phone")  # type: ignore[arg-type]
    data.close_reason, data.ended_by = CloseReason.JOB_SHUTDOWN.value, "idle"
    assert ended_by(data) == "idle"


def test_file_name_never_carries_the_callers_number() -> None:
    name = report_file_name(f"call-_+1{PHONE}_x7Qa", {"call_id": "abc123def456"})
    assert PHONE not in name and name.startswith("call-_redacted_x7Qa-") and name.endswith("-abc123def456.json")
    assert report_file_name("../../etc/passwd", {"call_id": "x"}).startswith("etc_passwd-")


def test_write_call_report_writes_json_for_its_owner_only(tmp_path: Path) -> None:
    report = {"call_id": "abc123def456", "outcome": {"verified": False}}
    path = write_call_report(report, _settings(tmp_path), name="call-entrypoint")
    assert path.parent == tmp_path / "reports" and path.name.startswith("call-entrypoint-")
    assert json.loads(path.read_text()) == report
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(path.parent.glob(".*.tmp")), "no temporary file left behind"


def test_retention_deletes_old_reports_when_a_new_one_is_written(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    old, recent, other = folder / "old.json", folder / "recent.json", folder / "notes.txt"
    for path in (old, recent, other):
        path.write_text("{}")
    ten_days_ago = time.time() - 10 * 86_400
    os.utime(old, (ten_days_ago, ten_days_ago))
    os.utime(other, (ten_days_ago, ten_days_ago))

    written = write_call_report({"call_id": "c1"}, _settings(tmp_path, retention_days=7), name="room")

    assert not old.exists(), "older than the retention"
    assert recent.exists() and written.exists() and other.exists(), "only call reports (*.json) are pruned"


def test_retention_zero_keeps_every_report(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    ancient = folder / "ancient.json"
    ancient.write_text("{}")
    os.utime(ancient, (0, 0))
    write_call_report({"call_id": "c1"}, _settings(tmp_path, retention_days=0), name="room")
    assert ancient.exists()
    assert prune_reports(folder, 0) == []


def test_verification_outcome_names(tmp_path: Path) -> None:
    from worker.report import verification_outcome

    data = CustomerContext(services=None)  # type: ignore[arg-type]
    assert verification_outcome(data) == "not_started"
    data.advance(AuthStep.PHONE)
    assert verification_outcome(data) == "in_progress"
    data.verification.failed_attempts = 1
    assert verification_outcome(data) == "failed"
    data.advance(AuthStep.LOCKED_OUT)
    assert verification_outcome(data) == "locked_out"
