"""Access to the caller's own data: verification on demand.

Browsing (search, details, promotions) needs no verification. A tool that touches the caller's own
data or writes needs a caller who finished authentication; in an agent an unverified caller can
reach (sales, the catalogue desks, promotions, sellers) the tool does not refuse with a sentence
for the model to act on: code hands the call to authentication, remembering the request, and
authentication returns the caller to this agent, request intact, once verified and through the
disclosure.
"""

from __future__ import annotations

from typing import Any

from livekit.agents import Agent, RunContext

from call.context import CustomerContext, ResumeRequest
from call.redaction import redact
from services.views import CustomerView


def verified_or_handoff(
    context: RunContext[CustomerContext], *, request: str, tool: str = "", arguments: dict[str, Any] | None = None
) -> CustomerView | Agent:
    """The verified caller, or the transfer to authentication that verifies them first.

    Use in a tool as::

        who = verified_or_handoff(context, request="add the rain jacket to your cart", tool="add_to_cart",
                                  arguments={...})
        if isinstance(who, Agent):
            return who  # LiveKit hands the call to authentication

    Args:
        context: The tool's run context.
        request: What the caller wants, as a short phrase completing "To ..." (spoken by authentication:
            "To add the rain jacket to your cart, I need to verify your identity first.").
        tool: The tool's name, and ``arguments`` its normalised arguments, to resume on return.

    Returns:
        The caller's :class:`~services.views.CustomerView`, or the next agent (authentication).

    Raises:
        ToolError: the account is locked, or the transfer was refused (e.g. the call's transfer
            budget is spent); the sentence says what to do instead.
    """
    ctx = context.userdata
    customer = ctx.verified_customer()
    if customer is not None:
        return customer
    if ctx.account_locked or ctx.verification_handoff is None or ctx.verification.locked_out:
        ctx.require_verified()  # verification cannot help here: raise the sentence that says why
    resume = ResumeRequest(
        agent=ctx.current_agent, request=redact(" ".join(request.split()))[:160], tool=tool, arguments=arguments or {}
    )
    assert ctx.verification_handoff is not None
    nxt: Agent = ctx.verification_handoff(resume)
    return nxt
