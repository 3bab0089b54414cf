"""The caller's goodbye, answered by code: a templated goodbye, then the call ends once it has played.

Called from :meth:`agents.base.MarketplaceAgent.take_caller_turn` for a turn nothing else in code
answered and that did not find a read-back waiting (a "goodbye" said to "Shall I go ahead?" answers the
read-back first: it is not a yes, so the write is void and the caller is still there). The words are
classified by :func:`call.goodbye.is_goodbye` (precision first). No LLM request is made.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from livekit.agents.voice import SpeechHandle

from call.goodbye import is_goodbye
from tools.end_call import end_call

from .base import CodeReply, Speech

if TYPE_CHECKING:
    from .base import MarketplaceAgent

logger = logging.getLogger("marketplace.agents.goodbye")

GOODBYE_LINE = "Thank you for calling the Marketplace help desk. Goodbye!"
"""What code says to a caller who said goodbye (never a tool name: the speech guard has nothing to withhold)."""


def goodbye_reply(agent: MarketplaceAgent, text: str) -> CodeReply | None:
    """Code's goodbye when ``text`` is the caller ending the call, else ``None``.

    The call ends after the goodbye has played out (:func:`tools.end_call.end_call`); if the caller
    talks over it ("oh wait, one more thing"), the goodbye is interrupted and the call goes on.

    Args:
        agent: The agent the caller is talking to.
        text: The caller's final transcript of this turn.
    """
    if not is_goodbye(text):
        return None
    session = agent.session

    async def _after_goodbye(handle: SpeechHandle) -> None:
        if handle.interrupted:
            logger.info("the caller spoke over the goodbye; the call goes on")
            return
        await end_call(session, ended_by="goodbye")

    logger.info("the caller said goodbye")
    return CodeReply([Speech(GOODBYE_LINE, on_done=_after_goodbye)])
