"""OpenTelemetry: LiveKit's spans of a scripted call reach the configured exporter, without caller PII."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.demo_data import AVA
from worker.settings import Settings
from worker.testing import Reply, ScriptedLLM, offline_call
from worker.tracing import configure_tracing, reset_tracing

PHONE = "415" + "555" + "0134"


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert configure_tracing(Settings(_env_file=None), exporter=exporter) is not None
    try:
        yield exporter
    finally:
        reset_tracing()


def test_nothing_is_configured_without_an_endpoint() -> None:
    assert configure_tracing(Settings(_env_file=None)) is None


@pytest.mark.asyncio
async def test_a_scripted_call_produces_spans_without_pii(exporter: InMemorySpanExporter, db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Hi Ava, returns here. Which order?")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        llm.push(
            Reply.call("check_return_eligibility", order_number="ORD-999999", condition="unused"),
            Reply.say("I couldn't find that order."),
        )
        await call.say(f"Order nine nine nine nine nine nine, my phone is {PHONE}")
    spans = exporter.get_finished_spans()
    names = {s.name for s in spans}
    assert {"agent_session", "agent_turn", "llm_request", "function_tool"} <= names, names
    (tool,) = [s for s in spans if s.name == "function_tool"]
    assert (tool.attributes or {}).get("lk.function_tool.name") == "check_return_eligibility"
    assert (tool.attributes or {}).get("lk.function_tool.is_error") is True
    for span in spans:
        attributes = dict(span.attributes or {})
        assert not [k for k in attributes if "pii" in k.split(".")], (span.name, attributes)
        assert "gen_ai.input.messages" not in attributes and "gen_ai.tool.call.arguments" not in attributes
        assert PHONE not in repr(attributes) and PHONE not in repr([e.attributes for e in span.events])


def test_remaining_string_attributes_are_redacted(exporter: InMemorySpanExporter) -> None:
    from livekit.agents.telemetry import tracer

    metrics_blob = '{"timestamp": 1795299995.95, "request_id": "scripted-1"}'
    with tracer.start_as_current_span(
        "custom",
        attributes={"app.note": f"caller said {PHONE}", "app.list": ("ok", PHONE), "lk.llm_metrics": metrics_blob},
    ):
        pass
    (span,) = exporter.get_finished_spans()
    attributes = dict(span.attributes or {})
    assert attributes["app.note"] == "caller said [redacted]"
    assert attributes["app.list"] == ("ok", "[redacted]")
    assert attributes["lk.llm_metrics"] == metrics_blob, "metric blobs (timestamps, counts) are left alone"
