"""OpenTelemetry traces as LiveKit offers them: its spans, sent to an OTLP collector.

livekit-agents creates spans for every session, caller turn, LLM request, TTS request and tool call
(``livekit/agents/telemetry/traces.py``: ``agent_session``, ``user_turn``, ``agent_turn``, ``llm_node``,
``llm_request``, ``function_tool``, ``tts_request``, ...) on a tracer whose provider is set with
``livekit.agents.telemetry.set_tracer_provider``. Nothing is exported until a provider with an exporter
is set; on LiveKit Cloud, LiveKit adds its own exporter to whatever provider is set.

:func:`configure_tracing` sets one when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is configured: an SDK
``TracerProvider`` with a batching OTLP/HTTP exporter (``<endpoint>/v1/traces``; headers, timeout and
compression from the standard ``OTEL_EXPORTER_OTLP_*`` environment variables; service name
``marketplace-desk`` unless ``OTEL_SERVICE_NAME`` is set). Caller PII stays out of the traces:

* ``allow_pii=False``: LiveKit drops every attribute it marks as PII (``lk.pii.*``: transcripts, tool
  arguments and outputs, instructions, chat context, room name, participant identity, phone number) and
  the GenAI content attributes and events before any exporter but LiveKit Cloud's.
* :class:`RedactingSpanProcessor` then runs :func:`call.redaction.redact` over every remaining string
  attribute (metric JSON blobs excepted), in case a future attribute carries caller words.

Call it once per process, before the first call (the ``prewarm`` of each job process).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from livekit.agents.telemetry import set_tracer_provider
from livekit.agents.telemetry import tracer as livekit_tracer
from opentelemetry import trace as trace_api
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter

from call.redaction import redact

if TYPE_CHECKING:
    from .settings import Settings

logger = logging.getLogger("marketplace.tracing")

SERVICE_NAME = "marketplace-desk"
TRACES_PATH = "/v1/traces"
"""OTLP/HTTP path appended to the base endpoint (as the exporter does for ``OTEL_EXPORTER_OTLP_ENDPOINT``)."""

_provider: TracerProvider | None = None


class RedactingSpanProcessor(SpanProcessor):
    """Redacts every string attribute of an ended span (and each string of a string-list attribute).

    Attributes whose key ends in ``metrics`` (LiveKit's JSON metric blobs: timestamps, token counts) are
    left alone. Must be added before the exporting processor: ``on_end`` runs in registration order over
    one shared snapshot.
    """

    def on_end(self, span: ReadableSpan) -> None:
        """Rebind the ended span's attributes to redacted copies (the snapshot is immutable)."""
        attributes = span.attributes or {}
        cleaned: dict[str, Any] = {}
        changed = False
        for key, value in attributes.items():
            new = value
            if not key.endswith("metrics"):
                if isinstance(value, str):
                    new = redact(value)
                elif isinstance(value, (tuple, list)) and any(isinstance(v, str) for v in value):
                    new = tuple(redact(v) if isinstance(v, str) else v for v in value)
            changed = changed or new != value
            cleaned[key] = new
        if changed:
            span._attributes = cleaned  # rebinding, as LiveKit's own PII processor does


def configure_tracing(settings: Settings, *, exporter: SpanExporter | None = None) -> TracerProvider | None:
    """Send LiveKit's spans to the OTLP collector at ``OTEL_EXPORTER_OTLP_ENDPOINT`` (no-op when unset).

    Args:
        settings: ``otel_exporter_otlp_endpoint``, the collector's base URL (``http://host:4318``).
        exporter: Export to this instead (tests: an ``InMemorySpanExporter``, exported synchronously).

    Returns:
        The provider now used by LiveKit's tracer, or ``None`` when tracing is not configured.
    """
    global _provider
    endpoint = settings.otel_exporter_otlp_endpoint
    processor: SpanProcessor
    if exporter is not None:
        processor, target = SimpleSpanProcessor(exporter), "a test exporter"
    elif endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        url = endpoint.rstrip("/")
        url = url if url.endswith(TRACES_PATH) else url + TRACES_PATH
        processor, target = BatchSpanProcessor(OTLPSpanExporter(endpoint=url)), url
    else:
        return None
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": SERVICE_NAME}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(RedactingSpanProcessor())
    provider.add_span_processor(processor)
    set_tracer_provider(provider, allow_pii=False)
    if _provider is not None:
        _provider.shutdown()
    _provider = provider
    logger.info("OpenTelemetry traces go to %s", target)
    return provider


def reset_tracing() -> None:
    """Flush and shut down the provider :func:`configure_tracing` set; LiveKit's tracer goes back to the
    global (no-op unless the application set one) provider."""
    global _provider
    if _provider is None:
        return
    _provider.force_flush()
    _provider.shutdown()
    _provider = None
    livekit_tracer.set_provider(trace_api.get_tracer_provider())
