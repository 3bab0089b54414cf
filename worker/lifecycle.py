"""Resources that live as long as one call's session (HTTP clients of the supervisor and the classifier)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, Protocol

from livekit.agents import AgentSession


class Closeable(Protocol):
    """Anything with an async ``aclose()`` (an HTTP client)."""

    def aclose(self) -> Awaitable[None]:
        """Release the resource."""
        ...


def close_with_session(session: AgentSession[Any], resource: Closeable) -> None:
    """Close ``resource`` when ``session`` closes (its ``close`` event), without blocking the event.

    Args:
        session: The call's session.
        resource: Closed once, in a task kept alive until it finishes.
    """
    closing: set[asyncio.Future[None]] = set()

    def _close(_: object) -> None:
        task = asyncio.ensure_future(resource.aclose())
        closing.add(task)
        task.add_done_callback(closing.discard)

    session.on("close", _close)
