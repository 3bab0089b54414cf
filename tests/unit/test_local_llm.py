"""ActionLLM against a fake OpenAI-compatible server (no model, no network beyond 127.0.0.1)."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from livekit.agents import (
    Agent,
    AgentSession,
    APIConnectionError,
    APIConnectOptions,
    APIStatusError,
    APITimeoutError,
    RunResult,
    llm,
)

from worker.offline.local_llm import (
    NO_TOOL,
    ActionLLM,
    SayStreamer,
    build_action_schema,
    chat_ctx_to_messages,
    parse_action,
    tool_specs,
)

pytestmark = pytest.mark.unit

NO_RETRY = APIConnectOptions(max_retry=0, retry_interval=0.0)


@dataclass
class Reply:
    """One scripted server behaviour.

    Attributes:
        content: The assistant message content to return.
        delay: Seconds to wait before answering (to provoke client timeouts).
        status: HTTP status; anything but 200 returns ``error_text`` instead.
        error_text: Body of an error response.
    """

    content: str = ""
    delay: float = 0.0
    status: int = 200
    error_text: str = ""


@dataclass
class FakeServer:
    """State of the fake ``/v1/chat/completions`` endpoint.

    Attributes:
        base_url: ``http://127.0.0.1:<port>/v1``.
        requests: Every JSON request body received, in order.
        replies: Scripted replies, consumed in order (the last one repeats).
        reject_any_of: Answer 400 like llama-server does for a schema it cannot convert
            whenever the schema contains ``anyOf``.
    """

    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    reject_any_of: bool = False

    def next_reply(self) -> Reply:
        if len(self.replies) > 1:
            return self.replies.pop(0)
        return self.replies[0] if self.replies else Reply(content='{"tool":"none","say":"ok"}')


FAKE_KEY = web.AppKey("fake", FakeServer)

USAGE = {"prompt_tokens": 120, "completion_tokens": 14, "total_tokens": 134}


async def _completions(request: web.Request) -> web.StreamResponse:
    fake: FakeServer = request.app[FAKE_KEY]
    body = await request.json()
    fake.requests.append(body)
    if fake.reject_any_of and "anyOf" in json.dumps(body.get("response_format")):
        return web.json_response(
            {"error": {"code": 400, "message": "JSON schema conversion failed: unsupported anyOf"}},
            status=400,
        )
    reply = fake.next_reply()
    if reply.delay:
        await asyncio.sleep(reply.delay)
    if reply.status != 200:
        return web.Response(status=reply.status, text=reply.error_text)
    if not body.get("stream"):
        return web.json_response(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": USAGE,
            }
        )
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await resp.prepare(request)

    async def send(payload: dict[str, Any]) -> None:
        await resp.write(f"data: {json.dumps(payload)}\n\n".encode())

    base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": "fake"}
    text = reply.content
    for i in range(0, len(text), 5):  # small pieces exercise incremental parsing
        delta = {"content": text[i : i + 5]}
        await send({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    await send({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    await send({**base, "choices": [], "usage": USAGE})
    await resp.write(b"data: [DONE]\n\n")
    await resp.write_eof()
    return resp


@pytest_asyncio.fixture
async def fake_server() -> AsyncIterator[FakeServer]:
    """Run the fake server on a random free port of 127.0.0.1."""
    fake = FakeServer()
    app = web.Application()
    app[FAKE_KEY] = fake
    app.router.add_post("/v1/chat/completions", _completions)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    fake.base_url = f"http://{host}:{port}/v1"
    try:
        yield fake
    finally:
        await runner.cleanup()


@llm.function_tool
async def lookup_order(order_id: str) -> str:
    """Look up the status of an order.

    Args:
        order_id: The order number, like ORD-1001.
    """
    return f"{order_id}: shipped"


@llm.function_tool
async def transfer_to_human(reason: str, urgent: bool = False) -> str:
    """Transfer the caller to a human agent.

    Args:
        reason: Why the caller needs a human.
        urgent: Whether the matter is urgent.
    """
    return "transferring"


TOOLS: list[llm.Tool] = [lookup_order, transfer_to_human]


def _ctx_with_history() -> llm.ChatContext:
    ctx = llm.ChatContext()
    ctx.add_message(role="system", content="You are the marketplace help desk.")
    ctx.add_message(role="user", content="Where is my order ORD-1001?")
    ctx.add_message(role="assistant", content="Let me check.")
    ctx.insert(llm.FunctionCall(call_id="c1", name="lookup_order", arguments='{"order_id":"ORD-1001"}'))
    ctx.insert(llm.FunctionCallOutput(call_id="c1", name="lookup_order", output="ORD-1001: shipped", is_error=False))
    ctx.add_message(role="assistant", content="It has shipped.")
    ctx.add_message(role="user", content="And can I talk to a person?")
    return ctx


def _make_llm(fake: FakeServer, **kwargs: Any) -> ActionLLM:
    return ActionLLM(base_url=fake.base_url, model="fake-model", **kwargs)


@pytest.mark.asyncio
async def test_request_shape_is_plain_messages_with_json_schema(fake_server: FakeServer) -> None:
    fake_server.replies = [Reply(content='{"tool":"none","say":"Sure."}')]
    model = _make_llm(fake_server)
    await model.chat(chat_ctx=_ctx_with_history(), tools=TOOLS, conn_options=NO_RETRY).collect()
    await model.aclose()

    body = fake_server.requests[0]
    assert body["cache_prompt"] is True
    assert body["temperature"] == 0.2 and body["max_tokens"] == 200
    assert "tools" not in body and "tool_choice" not in body
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "next_action"
    options = fmt["json_schema"]["schema"]["anyOf"]
    consts = [o["properties"]["tool"]["const"] for o in options]
    assert consts == ["lookup_order", "transfer_to_human", NO_TOOL]
    assert options[0]["properties"]["arguments"]["required"] == ["order_id"]
    assert list(options[0]["properties"]) == ["tool", "arguments", "say"]

    messages = body["messages"]
    assert {m["role"] for m in messages} <= {"system", "user", "assistant"}
    assert all(isinstance(m["content"], str) and m["content"] for m in messages)
    assert all(set(m) == {"role", "content"} for m in messages)
    system = messages[0]
    assert system["role"] == "system"
    assert system["content"].startswith("You are the marketplace help desk.")
    assert "lookup_order" in system["content"] and "transfer_to_human" in system["content"]
    joined = "\n".join(m["content"] for m in messages[1:])
    assert '[tool call] lookup_order {"order_id":"ORD-1001"}' in joined
    assert "[tool result] lookup_order: ORD-1001: shipped" in joined
    roles = [m["role"] for m in messages]
    assert all(a != b for a, b in itertools.pairwise(roles)), roles


@pytest.mark.asyncio
async def test_system_prompt_is_stable_across_turns(fake_server: FakeServer) -> None:
    model = _make_llm(fake_server)
    ctx = _ctx_with_history()
    await model.chat(chat_ctx=ctx, tools=TOOLS, conn_options=NO_RETRY).collect()
    ctx.add_message(role="assistant", content="Sure.")
    ctx.add_message(role="user", content="One more thing.")
    await model.chat(chat_ctx=ctx, tools=TOOLS, tool_choice="none", conn_options=NO_RETRY).collect()
    await model.aclose()
    first, second = (r["messages"] for r in fake_server.requests)
    assert first[0] == second[0]
    assert second[: len(first)] == first
    # tool_choice="none" leaves only the say-only option in the grammar
    schema = fake_server.requests[1]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["tool"] == {"const": NO_TOOL}


@pytest.mark.asyncio
async def test_tool_reply_yields_function_call(fake_server: FakeServer) -> None:
    fake_server.replies = [
        Reply(
            content=(
                '{"tool": "transfer_to_human", "arguments": {"reason": "wants a person", "urgent": false},'
                ' "say": "I\'ll connect you now."}'
            )
        )
    ]
    model = _make_llm(fake_server)
    resp = await model.chat(chat_ctx=_ctx_with_history(), tools=TOOLS, conn_options=NO_RETRY).collect()
    await model.aclose()
    assert resp.text == "I'll connect you now."
    assert len(resp.tool_calls) == 1
    call = resp.tool_calls[0]
    assert call.name == "transfer_to_human"
    assert json.loads(call.arguments) == {"reason": "wants a person", "urgent": False}
    assert call.call_id.startswith("call_")
    assert resp.usage is not None and resp.usage.prompt_tokens == 120


@pytest.mark.asyncio
async def test_say_only_reply_yields_text(fake_server: FakeServer) -> None:
    fake_server.replies = [Reply(content='{"tool":"none","say":"Could you give me \\"the\\" order number?"}')]
    model = _make_llm(fake_server)
    resp = await model.chat(chat_ctx=_ctx_with_history(), tools=TOOLS, conn_options=NO_RETRY).collect()
    await model.aclose()
    assert resp.text == 'Could you give me "the" order number?'
    assert resp.tool_calls == []


@pytest.mark.asyncio
@pytest.mark.parametrize("stream", [True, False])
async def test_malformed_json_is_spoken(fake_server: FakeServer, stream: bool) -> None:
    fake_server.replies = [Reply(content="Sorry {I did not get that}")]
    model = _make_llm(fake_server, stream=stream)
    resp = await model.chat(chat_ctx=_ctx_with_history(), tools=TOOLS, conn_options=NO_RETRY).collect()
    await model.aclose()
    assert resp.text == "Sorry I did not get that"
    assert resp.tool_calls == []


@pytest.mark.asyncio
async def test_truncated_json_keeps_streamed_say(fake_server: FakeServer) -> None:
    fake_server.replies = [Reply(content='{"tool":"none","say":"Your order has shipped and will arr')]
    model = _make_llm(fake_server)
    resp = await model.chat(chat_ctx=_ctx_with_history(), tools=TOOLS, conn_options=NO_RETRY).collect()
    await model.aclose()
    assert resp.text == "Your order has shipped and will arr"
    assert resp.tool_calls == []


@pytest.mark.asyncio
async def test_unknown_tool_is_speech_only(fake_server: FakeServer) -> None:
    fake_server.replies = [Reply(content='{"tool":"delete_account","arguments":{},"say":"Done."}')]
    model = _make_llm(fake_server, schema_mode="simple")
    resp = await model.chat(chat_ctx=_ctx_with_history(), tools=TOOLS, conn_options=NO_RETRY).collect()
    await model.aclose()
    assert resp.text == "Done."
    assert resp.tool_calls == []
    schema = fake_server.requests[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["tool"]["enum"] == ["lookup_order", "transfer_to_human", NO_TOOL]


@pytest.mark.asyncio
async def test_schema_rejection_falls_back_to_simple_form(fake_server: FakeServer) -> None:
    fake_server.reject_any_of = True
    fake_server.replies = [Reply(content='{"tool":"lookup_order","arguments":{"order_id":"ORD-7"},"say":""}')]
    model = _make_llm(fake_server)
    resp = await model.chat(chat_ctx=_ctx_with_history(), tools=TOOLS, conn_options=NO_RETRY).collect()
    assert [c.name for c in resp.tool_calls] == ["lookup_order"]
    assert json.loads(resp.tool_calls[0].arguments) == {"order_id": "ORD-7"}
    await model.chat(chat_ctx=_ctx_with_history(), tools=TOOLS, conn_options=NO_RETRY).collect()
    await model.aclose()
    kinds = ["anyOf" in json.dumps(r["response_format"]) for r in fake_server.requests]
    assert kinds == [True, False, False]  # the fallback sticks


@pytest.mark.asyncio
async def test_server_timeout_raises_api_timeout(fake_server: FakeServer) -> None:
    fake_server.replies = [Reply(content='{"tool":"none","say":"late"}', delay=1.0)]
    model = _make_llm(fake_server, timeout=0.3)
    with pytest.raises(APITimeoutError):
        await model.chat(chat_ctx=_ctx_with_history(), tools=TOOLS, conn_options=NO_RETRY).collect()
    await model.aclose()


@pytest.mark.asyncio
async def test_timeout_is_retried_then_reported(fake_server: FakeServer) -> None:
    fake_server.replies = [Reply(delay=1.0), Reply(content='{"tool":"none","say":"second try"}')]
    model = _make_llm(fake_server, timeout=0.3)
    retry = APIConnectOptions(max_retry=1, retry_interval=0.0)
    resp = await model.chat(chat_ctx=_ctx_with_history(), tools=TOOLS, conn_options=retry).collect()
    await model.aclose()
    assert resp.text == "second try"
    assert len(fake_server.requests) == 2


@pytest.mark.asyncio
async def test_http_error_raises_status_error(fake_server: FakeServer) -> None:
    fake_server.replies = [Reply(status=503, error_text="loading model")]
    model = _make_llm(fake_server)
    with pytest.raises(APIStatusError) as info:
        await model.chat(chat_ctx=_ctx_with_history(), tools=TOOLS, conn_options=NO_RETRY).collect()
    await model.aclose()
    assert info.value.status_code == 503 and info.value.retryable


@pytest.mark.asyncio
async def test_unreachable_server_raises_connection_error(fake_server: FakeServer) -> None:
    model = ActionLLM(base_url="http://127.0.0.1:9/v1", timeout=5)
    with pytest.raises(APIConnectionError) as info:
        await model.chat(chat_ctx=_ctx_with_history(), tools=TOOLS, conn_options=NO_RETRY).collect()
    await model.aclose()
    assert not isinstance(info.value, APITimeoutError)


def test_say_streamer_ignores_nested_say_and_decodes_escapes() -> None:
    text = '{"tool":"x","arguments":{"say":"not this","note":"\\"say\\": no"},"say":"Caf\\u00e9 \\"ok\\"\\nbye"}'
    streamer = SayStreamer()
    out = "".join(streamer.feed(text[i : i + 3]) for i in range(0, len(text), 3))
    assert out == 'Café "ok"\nbye'
    assert streamer.emitted == out


def test_parse_action_edge_cases() -> None:
    names = frozenset({"lookup_order"})
    as_string = '{"tool":"lookup_order","arguments":"{\\"order_id\\":\\"A\\"}","say":"x"}'
    assert json.loads(parse_action(as_string, names).arguments) == {"order_id": "A"}
    cut = parse_action('{"tool":"lookup_order","arguments":{"order_id":"A"},"say":"One mo', names)
    assert cut.tool == "lookup_order" and cut.say == "One mo"
    assert parse_action("", names).say == ""
    assert parse_action("[1, 2]", names).well_formed is False


def test_schema_hoists_defs_per_tool() -> None:
    spec_in = tool_specs(TOOLS)
    assert [s.name for s in spec_in] == ["lookup_order", "transfer_to_human"]
    assert "title" not in json.dumps(spec_in[0].parameters)
    schema = build_action_schema(spec_in, mode="per_tool", allow_say_only=False)
    assert [o["properties"]["tool"]["const"] for o in schema["anyOf"]] == [
        "lookup_order",
        "transfer_to_human",
    ]


class DeskAgent(Agent):
    """Minimal agent with one tool, for driving a real AgentSession."""

    def __init__(self) -> None:
        super().__init__(instructions="You are the marketplace help desk.", tools=[lookup_order])


@pytest.mark.asyncio
async def test_agent_session_runs_tool_through_action_llm(fake_server: FakeServer) -> None:
    fake_server.replies = [
        Reply(content='{"tool":"lookup_order","arguments":{"order_id":"ORD-1001"},"say":"Checking."}'),
        Reply(content='{"tool":"none","say":"Your order ORD-1001 has shipped."}'),
    ]
    model = _make_llm(fake_server)
    async with AgentSession(llm=model) as session:
        await session.start(DeskAgent())
        result: RunResult[None] = await session.run(user_input="Where is order ORD-1001?")
        result.expect.skip_next_event_if(type="message", role="assistant")
        result.expect.next_event().is_function_call(name="lookup_order", arguments={"order_id": "ORD-1001"})
        result.expect.next_event().is_function_call_output(output="ORD-1001: shipped")
        result.expect.next_event().is_message(role="assistant")
    await model.aclose()
    # the second request carried the tool call and its result as plain text
    last = fake_server.requests[-1]["messages"]
    assert {m["role"] for m in last} <= {"system", "user", "assistant"}
    assert any("[tool result] lookup_order: ORD-1001: shipped" in m["content"] for m in last)


def test_history_budget_drops_oldest_and_starts_with_user() -> None:
    ctx = llm.ChatContext()
    ctx.add_message(role="system", content="Instructions.")
    for i in range(20):
        ctx.add_message(role="user", content=f"question {i} " + "x" * 50)
        ctx.add_message(role="assistant", content=f"answer {i} " + "y" * 50)
    ctx.add_message(role="user", content="last question")
    messages = chat_ctx_to_messages(ctx, tools_block="", rules="Rules.", max_history_chars=300)
    assert messages[0]["content"].startswith("Instructions.")
    assert messages[1]["role"] == "user"
    assert messages[-1]["content"] == "last question"
    assert sum(len(m["content"]) for m in messages[1:]) <= 300
