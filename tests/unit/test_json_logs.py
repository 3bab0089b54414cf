"""Structured JSON logs as in ``start`` mode: every line of a call carries room, agent and turn, and no PII.

The logging is set up as in production: ``worker.__main__`` runs :func:`configure_logging`, LiveKit's CLI
adds its stdout handler with its JSON formatter (``cli.log.setup_logging`` in start mode), the job's
context filter adds ``room`` (``ctx.log_context_fields``), and the entrypoint binds the call with
:func:`worker.observability.observe_call` before the session starts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from agents.turns import send_caller_text
from call.context import CustomerContext
from services import Clock, open_services
from services.demo_data import AVA
from worker.logging_setup import GUARDED_LOGGERS, CallContextFilter, configure_logging
from worker.observability import observe_call
from worker.session import build_session, start_call
from worker.testing import FIXED_NOW, TEST_SALT, Reply, ScriptedLLM, mark_verified

PHONE = "415" + "555" + "0134"
SPOKEN_PHONE = "four one five five five five zero one three four"
ROOM = f"call-_+1{PHONE}_x7Qa"


@pytest.fixture
def isolated_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Undo what configure_logging, LiveKit's CLI logging setup and the job's filter do to the logging tree."""
    from livekit.agents.cli import log as cli_log

    names = ("", *GUARDED_LOGGERS, "livekit.agents.voice", "marketplace.tools")
    loggers = [logging.getLogger(name) for name in (*names, *cli_log.NOISY_LOGGERS)]
    saved = [(lg, list(lg.handlers), list(lg.filters), lg.level) for lg in loggers]
    handlers = {h for lg in loggers for h in lg.handlers}
    saved_handlers = [(h, list(h.filters)) for h in handlers]
    monkeypatch.setattr(cli_log.Plugin.emitter, "on", lambda *args, **kwargs: None)
    yield
    for logger, handler_items, filter_items, level in saved:
        logger.handlers[:] = handler_items
        logger.filters[:] = filter_items
        logger.setLevel(level)
    for handler, filter_items in saved_handlers:
        handler.filters[:] = filter_items


def _json_lines(printed: str) -> list[dict[str, Any]]:
    lines = []
    for line in printed.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


@pytest.mark.asyncio
@pytest.mark.usefixtures("isolated_logging")
async def test_every_line_of_a_call_carries_room_agent_and_turn_and_no_pii(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from livekit.agents.cli.log import setup_logging
    from livekit.agents.testing import fake_job_context

    configure_logging("INFO", add_handler=False)  # worker.__main__, before LiveKit's CLI
    setup_logging("INFO", devmode=False, console=False)  # start mode: LiveKit's JSON formatter on stdout
    services = await open_services(db_url, salt=TEST_SALT, clock=Clock(fixed=FIXED_NOW))
    llm = ScriptedLLM([Reply.say("Hi Ava, returns here. Which order?")])
    try:
        with fake_job_context() as job:
            job.log_context_fields = {"room": ROOM, "job_id": job.job.id}  # as worker.server's entrypoint does
            job._on_setup()  # what LiveKit does in a job process: its context-fields filter on the root handlers
            data = CustomerContext(services=services, channel="phone", caller_number=f"+1{PHONE}")
            mark_verified(data, AVA)
            data.current_agent = "returns"
            session = build_session(llm=llm, userdata=data)
            observe_call(session)  # the entrypoint, before the session starts
            await start_call(session, start_agent="returns", record=False)
            await session.wait_for_idle()

            logging.getLogger("marketplace.tools").warning("caller gave %s", PHONE)
            logging.getLogger("livekit.agents").warning(
                "user transcript", extra={"lk.pii.user_transcript": SPOKEN_PHONE, "transcript": SPOKEN_PHONE}
            )
            # A real tool error inside the session: LiveKit logs "ToolError while executing tool" from its own task.
            llm.push(
                Reply.call("check_return_eligibility", order_number="ORD-999999", condition="unused"),
                Reply.say("I couldn't find that order."),
            )
            await send_caller_text(session, f"Order nine nine nine nine nine nine, my number is {SPOKEN_PHONE}")
            logging.getLogger("marketplace.tools").warning("after the turn")
            await session.aclose()
    finally:
        await services.close()

    printed = capsys.readouterr().out
    records = _json_lines(printed)
    by_message = {r.get("message"): r for r in records}
    ours = by_message["caller gave [redacted]"]
    theirs = by_message["user transcript"]
    tool_error = by_message["ToolError while executing tool"]
    later = by_message["after the turn"]
    for record in (ours, theirs, tool_error, later):
        assert record["room"] == "call-_[redacted]_x7Qa", record
        assert record["agent"] == "returns" and record["call_id"] == data.call_id, record
    assert ours["name"] == "marketplace.tools" and theirs["name"] == "livekit.agents"
    assert tool_error["name"] == "livekit.agents" and tool_error["function"] == "check_return_eligibility"
    assert (ours["turn"], theirs["turn"], tool_error["turn"], later["turn"]) == (0, 0, 1, 1)
    assert theirs["lk.pii.user_transcript"] == "[redacted]" and theirs["transcript"] == "[redacted]"
    for secret in (PHONE, SPOKEN_PHONE, "0134", "five five five"):
        assert secret not in printed


def test_call_fields_come_before_redaction_and_never_replace_a_records_own() -> None:
    """A record that already has ``agent`` keeps it; the filter never drops a record."""

    class Call:
        current_agent, user_turns, call_id = "sales", 4, "abc"

    from worker import logging_setup

    token = logging_setup._CURRENT_CALL.set(Call())
    try:
        record = logging.LogRecord("x", logging.INFO, "f", 1, "m", None, None)
        record.agent = "explicit"
        assert CallContextFilter().filter(record)
    finally:
        logging_setup._CURRENT_CALL.reset(token)
    assert (record.agent, record.turn, record.call_id) == ("explicit", 4, "abc")  # type: ignore[attr-defined]


@pytest.mark.usefixtures("isolated_logging")
def test_every_guarded_handler_gets_the_call_fields_before_the_redacting_filter() -> None:
    from call.redaction import RedactingFilter

    handler = logging.NullHandler()
    logging.getLogger().addHandler(handler)
    configure_logging("INFO")
    configure_logging("INFO")
    kinds = [type(f) for f in handler.filters]
    assert kinds.count(CallContextFilter) == 1 and kinds[-1] is RedactingFilter
