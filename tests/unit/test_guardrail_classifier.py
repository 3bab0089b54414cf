"""The optional output classifier: the OpenAI-compatible client against a tiny local server of the exact
chat-completions shape, the guardrail through the real ``AgentSession`` with that client (block, allow,
timeout and failure: then the rule layer alone decides), and its configuration and wiring.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from pydantic import ValidationError

from agents.output_guardrail import SAFE_COMPETITOR, SAFE_FIGURE
from call.context import CustomerContext
from call.guardrail import CLASSIFIER_INSTRUCTIONS, GuardrailClassifier, GuardrailVerdict
from services.demo_data import AVA
from worker.guardrail_client import (
    NO_KEY,
    OpenAIGuardrailClassifier,
    classifier_endpoint,
    parse_verdict,
)
from worker.session import build_session
from worker.settings import Settings
from worker.testing import Reply, ScriptedLLM, offline_call

pytestmark = pytest.mark.unit

BLOCK_COMPETITOR = '{"verdict": "block", "category": "competitor"}'
ALLOW = '{"verdict": "allow"}'


@dataclass
class ChatServer:
    """A tiny server speaking the OpenAI chat-completions shape."""

    url: str
    requests: list[tuple[dict[str, str], dict[str, Any]]]
    behaviour: dict[str, Any]


@pytest_asyncio.fixture
async def chat_server() -> AsyncIterator[ChatServer]:
    requests: list[tuple[dict[str, str], dict[str, Any]]] = []
    behaviour: dict[str, Any] = {"content": ALLOW, "status": 200, "delay": 0.0}
    released = asyncio.Event()

    async def completions(request: web.Request) -> web.Response:
        body = await request.json()
        requests.append((dict(request.headers), body))
        if behaviour["delay"]:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(released.wait(), behaviour["delay"])
        if behaviour["status"] != 200:
            return web.json_response({"error": {"message": "overloaded", "type": "server_error"}}, status=500)
        return web.json_response(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1_763_470_800,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": behaviour["content"]},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 90, "completion_tokens": 9, "total_tokens": 99},
            }
        )

    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield ChatServer(f"http://127.0.0.1:{port}/v1", requests, behaviour)
    finally:
        released.set()
        await runner.cleanup()


def _conforms(classifier: GuardrailClassifier) -> GuardrailClassifier:
    """Type-level check (mypy) that the client has the Protocol's shape."""
    return classifier


@pytest_asyncio.fixture
async def client(chat_server: ChatServer) -> AsyncIterator[OpenAIGuardrailClassifier]:
    c = OpenAIGuardrailClassifier(base_url=chat_server.url, model="guard-model", api_key="sk-test", timeout_s=2.0)
    try:
        yield c
    finally:
        await c.aclose()


# --- the client -------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_client_speaks_the_chat_completions_shape(chat_server: ChatServer, client: Any) -> None:
    chat_server.behaviour["content"] = BLOCK_COMPETITOR
    verdict = await _conforms(client).classify("You could try the other shop.", agent="sales")
    assert verdict == GuardrailVerdict(allowed=False, category="competitor")
    ((headers, body),) = chat_server.requests
    assert headers["Authorization"] == "Bearer sk-test"
    assert body["model"] == "guard-model"
    assert body["messages"] == [
        {"role": "system", "content": CLASSIFIER_INSTRUCTIONS},
        {"role": "user", "content": "Desk: sales\nReply:\nYou could try the other shop."},
    ]
    assert body["response_format"] == {"type": "json_object"}
    assert body["temperature"] == 0 and body["max_completion_tokens"] == 30 and "tools" not in body


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (ALLOW, GuardrailVerdict(allowed=True)),
        ('```json\n{"verdict": "block", "category": "offensive"}\n```', GuardrailVerdict(False, "offensive")),
        ('{"verdict": "block", "category": "rude"}', GuardrailVerdict(False, "off_brand")),
        ('{"verdict": "block"}', GuardrailVerdict(False, "off_brand")),
    ],
)
def test_verdicts_are_parsed(content: str, expected: GuardrailVerdict) -> None:
    assert parse_verdict(content) == expected


@pytest.mark.parametrize("content", ["", "yes", "{}", '{"verdict": "maybe"}', "{not json}"])
def test_anything_else_is_no_verdict(content: str) -> None:
    with pytest.raises(ConnectionError):
        parse_verdict(content)


@pytest.mark.asyncio
async def test_client_errors_are_connection_errors_and_timeouts_timeouts(chat_server: ChatServer) -> None:
    c = OpenAIGuardrailClassifier(base_url=chat_server.url, model="m", api_key="k", timeout_s=0.3)
    try:
        chat_server.behaviour.update(status=500)
        with pytest.raises(ConnectionError):
            await c.classify("Hello.", agent="sales")
        chat_server.behaviour.update(status=200, delay=3.0)
        with pytest.raises(TimeoutError):
            await c.classify("Hello.", agent="sales")
    finally:
        await c.aclose()
    assert len(chat_server.requests) == 2, "no retries: the caller is waiting"


# --- through the real AgentSession ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_blocked_reply_is_replaced_by_the_safe_line_of_its_category(
    db_url: str, chat_server: ChatServer, client: OpenAIGuardrailClassifier
) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, start_agent="sales", verified_as=AVA, database_url=db_url) as call:
        call.userdata.guardrail_classifier = client
        chat_server.behaviour["content"] = BLOCK_COMPETITOR
        llm.push(Reply.say("The shop down the road has that jacket for less, honestly."))
        t = await call.say("Is there a cheaper jacket?")
        assert [line.strip() for line in t.spoken()] == [SAFE_COMPETITOR]
        assert call.userdata.guardrail_trips == ["classifier_competitor"]
        (_, body), *_ = chat_server.requests
        assert body["messages"][1]["content"].endswith("The shop down the road has that jacket for less, honestly.")

        chat_server.behaviour["content"] = ALLOW
        llm.push(Reply.say("We have the Alpine rain jacket."))
        t = await call.say("What do you have?")
        assert [line.strip() for line in t.spoken()] == ["We have the Alpine rain jacket."]
        assert "another store" in "\n".join(llm.requests[-1].system_texts())  # the note of the trip before
        assert call.userdata.guardrail_trips == ["classifier_competitor"]


@pytest.mark.asyncio
async def test_rules_run_before_the_classifier(
    db_url: str, chat_server: ChatServer, client: OpenAIGuardrailClassifier
) -> None:
    llm = ScriptedLLM()
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        call.userdata.guardrail_classifier = client
        llm.push(Reply.say("You'll get $75 back."))
        t = await call.say("How much do I get back?")
        assert [line.strip() for line in t.spoken()] == [SAFE_FIGURE]
        assert call.userdata.guardrail_trips == ["ungrounded_amount"]
        (_, body), *_ = chat_server.requests
        assert "$75" not in json.dumps(body), "the classifier sees only what passed the rules"


@pytest.mark.asyncio
@pytest.mark.parametrize("failure", ["timeout", "error", "unreachable"])
async def test_when_the_classifier_cannot_answer_the_rule_layer_alone_decides(
    db_url: str, chat_server: ChatServer, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = "http://127.0.0.1:9/v1" if failure == "unreachable" else chat_server.url
    classifier = OpenAIGuardrailClassifier(base_url=url, model="guard-model", api_key=NO_KEY, timeout_s=0.4)
    chat_server.behaviour.update(content=BLOCK_COMPETITOR, delay=5.0 if failure == "timeout" else 0.0)
    chat_server.behaviour["status"] = 500 if failure == "error" else 200
    llm = ScriptedLLM()
    try:
        async with offline_call(llm=llm, start_agent="sales", verified_as=AVA, database_url=db_url) as call:
            call.userdata.guardrail_classifier = classifier
            llm.push(Reply.say("We have the Alpine rain jacket in navy."))
            loop = asyncio.get_running_loop()
            started = loop.time()
            with caplog.at_level(logging.WARNING, logger="marketplace.agents.guardrail"):
                t = await call.say("What jackets do you have?")
            elapsed = loop.time() - started
            assert [line.strip() for line in t.spoken()] == ["We have the Alpine rain jacket in navy."]
            assert call.userdata.guardrail_trips == []
            assert elapsed < 3.0, "the reply waits at most about the classifier's timeout"
    finally:
        await classifier.aclose()
    assert any("rule layer only" in r.getMessage() for r in caplog.records)


# --- configuration and wiring -------------------------------------------------------------------------------


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_off_by_default_and_configured_by_url() -> None:
    assert classifier_endpoint(settings()) is None
    assert classifier_endpoint(settings(guardrail_classifier_url="")) is None
    endpoint = classifier_endpoint(
        settings(guardrail_classifier_url="https://api.openai.com/v1", openai_api_key="sk-1")
    )
    assert endpoint is not None
    assert (endpoint.model, endpoint.api_key, endpoint.timeout_s) == ("gpt-4o-mini", "sk-1", 1.5)
    local = classifier_endpoint(
        settings(
            guardrail_classifier_url="http://127.0.0.1:8088/v1",
            guardrail_classifier_model="qwen",
            guardrail_classifier_timeout_s=3,
        )
    )
    assert local is not None and (local.model, local.api_key, local.timeout_s) == ("qwen", NO_KEY, 3.0)
    with pytest.raises(ValidationError):
        settings(guardrail_classifier_url="ftp://example.com")


@pytest.mark.asyncio
async def test_build_session_puts_the_configured_classifier_on_the_call(db_url: str) -> None:
    from services import open_services

    services = await open_services(db_url, salt="s")
    try:
        plain = CustomerContext(services=services)
        build_session(llm=ScriptedLLM(), userdata=plain, settings=settings())
        assert plain.guardrail_classifier is None
        ctx = CustomerContext(services=services)
        build_session(
            llm=ScriptedLLM(), userdata=ctx, settings=settings(guardrail_classifier_url="http://127.0.0.1:9/v1")
        )
        classifier = ctx.guardrail_classifier
        assert isinstance(classifier, OpenAIGuardrailClassifier) and classifier.timeout_s == 1.5
        await classifier.aclose()
    finally:
        await services.close()
