"""The resumable state of a call: :class:`~call.context.CustomerContext` → a small JSON dict, and back.

:func:`snapshot` keeps what the next call needs to continue — the agent the caller was with, the
intent, what was done, the pending request, the verified customer id and whether the loyalty offer
was answered — and nothing personal beyond the customer id: texts go through :func:`call.redaction.redact`
(digit runs, dates with a year) and the caller's first and last name are replaced by ``[name]``. The
keys are those :data:`services.calls.STATE_KEYS` accepts.

:func:`restore` applies a saved state onto the fresh context of a new call, **only** with a
:class:`Reverified` proof for that saved call and customer, at the last step of the shortened
re-verification (:mod:`agents.steps.resume`); anything else raises :class:`ResumeRefused` and changes
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, get_args

from services.calls import ResumeIdentity, SavedCall
from services.customers import OfferAnswer

from .context import AuthStep, CustomerContext, ResumeRequest
from .redaction import redact

STATE_VERSION = 1
MAX_ACTIONS = 12
"""Most recent actions kept (the transfer summary shows the last six)."""
MAX_TEXT = 240
"""Longest kept text (intent, action, request), in characters."""
MAX_ARGUMENTS = 12
"""Most arguments kept for a pending request."""
NAME_MARK = "[name]"
CONTINUE_REQUEST = "continue where the call was cut off"
"""The request restored when the dropped call had none pending (it completes "They had asked to ...")."""
RESUMED_ACTION = "Call resumed after a drop; identity re-verified (phone number and one factor)"
_AGENT_KEY = re.compile(r"[a-z][a-z_]{0,39}")
_QUESTION_TAILS = (" Shall I go ahead?", " For your security,")
"""Where a write's read-back ends and its question starts (:func:`tools.writes.propose_write`)."""
_OFFER_ANSWERS: tuple[str, ...] = get_args(OfferAnswer)


class ResumeRefused(Exception):
    """The saved state cannot be applied: no re-verification proof for it, or the context is not fresh."""


@dataclass(frozen=True)
class SavedState:
    """A parsed, validated saved state (see :func:`snapshot` for the meaning of each field)."""

    agent: str
    customer_id: str
    intent: str | None
    actions: tuple[str, ...]
    pending: ResumeRequest | None
    offer_answer: OfferAnswer | None
    disclosure_completed: bool
    transfers: int

    @classmethod
    def parse(cls, state: Mapping[str, Any]) -> SavedState:
        """Validate a stored state.

        Raises:
            ValueError: wrong version, a missing customer id, or a field of the wrong shape.
        """
        if state.get("version") != STATE_VERSION:
            raise ValueError("unknown state version")
        agent, customer_id = state.get("agent"), state.get("customer_id")
        if not isinstance(agent, str) or not _AGENT_KEY.fullmatch(agent):
            raise ValueError("bad agent")
        if not isinstance(customer_id, str) or not customer_id:
            raise ValueError("no customer id")
        intent = state.get("intent")
        actions = state.get("actions", [])
        if intent is not None and not isinstance(intent, str):
            raise ValueError("bad intent")
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            raise ValueError("bad actions")
        offer = state.get("offer_answer")
        if offer is not None and offer not in _OFFER_ANSWERS:
            raise ValueError("bad offer answer")
        transfers = state.get("transfers", 0)
        if not isinstance(transfers, int) or isinstance(transfers, bool) or transfers < 0:
            raise ValueError("bad transfers")
        return cls(
            agent=agent,
            customer_id=customer_id,
            intent=intent,
            actions=tuple(actions[-MAX_ACTIONS:]),
            pending=_parse_pending(state.get("pending")),
            offer_answer=offer,
            disclosure_completed=bool(state.get("disclosure_completed", False)),
            transfers=transfers,
        )


@dataclass(frozen=True)
class Reverified:
    """Proof that the caller of this call passed the shortened re-verification for one saved call.

    Built by :mod:`agents.steps.resume` only after the phone number matched the record and the factor
    matched the stored digests (:meth:`services.customers.CustomerService.step_up`).

    Attributes:
        call_id: The saved (dropped) call it was checked for.
        identity: The customer record it was checked against.
    """

    call_id: str
    identity: ResumeIdentity


def snapshot(ctx: CustomerContext) -> dict[str, Any] | None:
    """The resumable state of ``ctx``, or ``None`` while no identity is verified (nothing to resume).

    Returns:
        ``{"version", "agent", "customer_id", "intent", "actions", "pending", "offer_answer",
        "disclosure_completed", "transfers"}``. ``pending`` is the request the caller was in the middle
        of: the verification-on-demand request (``ctx.resume``), else the write read back and awaiting
        the caller's yes (``ctx.pending``: restored as a request for the agent to propose it again —
        a write never runs without a new yes), else ``None``. Texts redacted, names replaced.
    """
    v = ctx.verification
    customer = v.customer
    if customer is None:
        return None
    names = [n for n in (customer.first_name, customer.last_name, v.first_name) if n]
    pending: ResumeRequest | None = ctx.resume
    if pending is None and ctx.pending is not None:
        sentence = ctx.pending.read_back
        for tail in _QUESTION_TAILS:
            cut = sentence.find(tail)
            if cut > 0:
                sentence = sentence[:cut]
        pending = ResumeRequest(
            agent=ctx.pending.agent or ctx.current_agent,
            request=f"go ahead with what was read back to them before the call dropped: {sentence.strip()}",
            tool=ctx.pending.name,
            arguments=dict(ctx.pending.arguments),
        )
    return {
        "version": STATE_VERSION,
        "agent": ctx.current_agent,
        "customer_id": customer.id,
        "intent": scrub(ctx.intent, names) if ctx.intent else None,
        "actions": [scrub(a, names) for a in ctx.actions[-MAX_ACTIONS:]],
        "pending": _pending_state(pending, names) if pending is not None else None,
        "offer_answer": ctx.disclosure.response,
        "disclosure_completed": ctx.disclosure.completed,
        "transfers": ctx.earlier_transfers + len(ctx.transfers),
    }


def restore(ctx: CustomerContext, saved: SavedCall, proof: Reverified) -> SavedState:
    """Apply ``saved`` onto the fresh context of this call, after the shortened re-verification.

    Sets the verified customer (from the record in ``proof``, not from the state), the intent, the
    actions done (with a line saying the call was resumed), the offer answer and the pending request
    (``ctx.resume``: authentication hands the caller back to that agent once it is done), and moves
    verification to ``DONE`` when the offer was answered in the dropped call, else to ``DISCLOSURE``
    (the disclosure is still due).

    Args:
        ctx: This call's context: at :attr:`AuthStep.RESUME_FACTOR`, nobody verified yet, and
            ``ctx.resumable`` is ``saved``.
        saved: The dropped call being resumed.
        proof: The re-verification for ``saved`` and its customer.

    Returns:
        The parsed state that was applied.

    Raises:
        ResumeRefused: no proof for this saved call and customer, the context is not fresh or not at
            the re-verification's last step, or the state is malformed. ``ctx`` is unchanged.
    """
    if ctx.resumable is None or ctx.resumable.call_id != saved.call_id or proof.call_id != saved.call_id:
        raise ResumeRefused("no re-verification for this saved call")
    if ctx.verification.customer is not None or ctx.verification.step is not AuthStep.RESUME_FACTOR:
        raise ResumeRefused("the caller is not at the end of the shortened re-verification")
    try:
        state = SavedState.parse(saved.state)
    except ValueError as exc:
        raise ResumeRefused(f"malformed saved state: {exc}") from exc
    customer = proof.identity.customer
    if customer.id != state.customer_id:
        raise ResumeRefused("the re-verified customer is not the saved call's customer")
    v = ctx.verification
    v.customer, v.first_name, v.phone = customer, customer.first_name, proof.identity.phone
    v.address_on_file, v.verified_at = proof.identity.address, ctx.services.clock.now()
    ctx.intent = state.intent or ctx.intent
    ctx.actions[:0] = state.actions
    ctx.note_action(RESUMED_ACTION)
    ctx.disclosure.response = state.offer_answer
    ctx.resume = state.pending
    if ctx.resume is None and state.agent not in ("authentication", ""):
        request = CONTINUE_REQUEST + (f" ({state.intent})" if state.intent else "")
        ctx.resume = ResumeRequest(agent=state.agent, request=request[:MAX_TEXT])
    ctx.earlier_transfers = state.transfers
    ctx.resumed_from, ctx.resumable = saved.call_id, None
    ctx.advance(AuthStep.DONE if state.offer_answer is not None else AuthStep.DISCLOSURE)
    return state


def scrub(text: str, names: Iterable[str]) -> str:
    """``text`` redacted (:func:`call.redaction.redact`), the given names replaced by ``[name]``, shortened."""
    out = redact(" ".join(text.split()))
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", NAME_MARK, out, flags=re.IGNORECASE)
    return out[:MAX_TEXT]


def _pending_state(pending: ResumeRequest, names: list[str]) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    for key, value in list(pending.arguments.items())[:MAX_ARGUMENTS]:
        if isinstance(value, str):
            arguments[str(key)[:40]] = scrub(value, names)
        elif value is None or isinstance(value, bool | int | float):
            arguments[str(key)[:40]] = value
    return {
        "agent": pending.agent,
        "request": scrub(pending.request, names),
        "tool": pending.tool[:64],
        "arguments": arguments,
    }


def _parse_pending(value: Any) -> ResumeRequest | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError("bad pending request")
    agent, request, tool = value.get("agent"), value.get("request"), value.get("tool", "")
    arguments = value.get("arguments", {})
    if not isinstance(agent, str) or not _AGENT_KEY.fullmatch(agent) or not isinstance(request, str):
        raise ValueError("bad pending request")
    if not isinstance(tool, str) or not isinstance(arguments, Mapping):
        raise ValueError("bad pending request")
    return ResumeRequest(agent=agent, request=request[:MAX_TEXT], tool=tool, arguments=dict(arguments))
