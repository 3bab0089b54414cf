"""The model-played caller (against an OpenAI-compatible server of the exact chat-completions shape) and
LiveKit's judge (driven by a scripted judge model)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from evals.callers import STOP, ModelCaller
from evals.judge import judge_speech
from evals.scenario import SCENARIO_DIR, load_scenario
from worker.testing import Reply, ScriptedLLM

pytestmark = [pytest.mark.asyncio]

JACKET = load_scenario(SCENARIO_DIR / "returns_jacket.toml")


class FakeChatServer:
    """A local HTTP server answering ``POST /v1/chat/completions`` like OpenAI, with queued lines."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.requests: list[dict[str, Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        text = self.lines.pop(0)
        return web.json_response(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )


@pytest_asyncio.fixture
async def chat_server() -> AsyncIterator[tuple[FakeChatServer, str]]:
    fake = FakeChatServer(["Hi, I'd like to return a jacket.", f"No, that's all. Goodbye! {STOP}"])
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield fake, f"http://127.0.0.1:{port}/v1"
    await runner.cleanup()


async def test_the_model_caller_knows_only_the_persona_and_stops_after_goodbye(
    chat_server: tuple[FakeChatServer, str],
) -> None:
    fake, url = chat_server
    caller = ModelCaller(JACKET, base_url=url, model="caller-model", api_key="k")
    try:
        assert await caller.next_line(["Hello, may I have your first name?"]) == "Hi, I'd like to return a jacket."
        assert await caller.next_line(["Anything else?"]) == "No, that's all. Goodbye!"
        assert await caller.next_line(["Goodbye."]) is None  # it said STOP: the call is over for it
    finally:
        await caller.aclose()
    system = fake.requests[0]["messages"][0]["content"]
    assert JACKET.persona in system and JACKET.goal in system and JACKET.facts in system
    for desk_detail in ("initiate_return", "tool", "ORD-100101", "disclosure"):
        assert desk_detail not in system, desk_detail  # nothing of the desk's tools or answers
    # The desk's speech is the other side of the conversation; the caller's own lines are its turns.
    assert [m["role"] for m in fake.requests[1]["messages"]] == ["system", "user", "assistant", "user"]
    assert fake.requests[1]["messages"][-1]["content"] == "Anything else?"


def judge_model(success: bool, reason: str) -> ScriptedLLM:
    return ScriptedLLM([Reply.call("check_intent", success=success, reason=reason)])


async def test_livekits_judge_passes_and_fails_with_the_reason() -> None:
    speech = ["That item is a final sale, so it can't be returned; I can open a ticket instead."]
    model = judge_model(True, "explains the final-sale rule")
    assert await judge_speech(model, intent="explains why the return is refused", speech=speech) == {
        "verdict": "pass",
        "reason": "",
    }
    # The judge saw the desk's speech and the intent.
    request = model.requests[0].all_text()
    assert "final sale" in request and "explains why the return is refused" in request
    verdict = await judge_speech(judge_model(False, "no reason given"), intent="explains why", speech=speech)
    assert verdict["verdict"] == "fail" and "no reason given" in verdict["reason"]


async def test_a_judge_that_answers_nothing_usable_is_a_failure() -> None:
    verdict = await judge_speech(ScriptedLLM([Reply.say("Looks fine to me.")]), intent="x", speech=["y"])
    assert verdict["verdict"] == "fail", json.dumps(verdict)
