"""Security desk tools: the caller's card charges, suspicious-activity and fraud cases, account lock, password reset.

Only the verified caller's own charges are reachable (``ctx.require_verified()``; the service filters
by their id). Charges are named in the caller's words ("the one from Lagos", "the two small test
charges") and resolved by code (:func:`services.account_security.match_charges`); the model never
needs an id. Every write goes through :func:`tools.writes.propose_write`; the risky ones (lock,
password reset) with ``step_up=True``: the caller confirms with the last four digits of their card or
SSN, which code re-checks before the write runs. Free text stored in a case or a lock reason is redacted
(:func:`call.redaction.redact`): a caller who says "my card ending 9021" leaves no digits in the database.
"""

from __future__ import annotations

from collections.abc import Sequence

from livekit.agents import RunContext, ToolError, function_tool, llm
from livekit.agents.llm import ToolResult

from call.context import CustomerContext
from call.redaction import redact
from services.account_security import (
    FRAUD_CREDIT_BUSINESS_DAYS,
    RECENT_DAYS,
    RESET_TTL,
    parse_amount_cents,
)
from services.views import ChargeView, dollars, spoken_date

from .common import clean_text, free_text, preview, service_errors
from .writes import propose_write

Ctx = RunContext[CustomerContext]

MAX_LISTED = 5
"""Charges one answer lists (the voice rule: at most about five items)."""
MAX_DESCRIPTION = 300
MAX_REFERENCE = 200
MAX_REASON = 200


def _charge_line(c: ChargeView) -> str:
    what = f" ({c.description})" if c.description else ""
    where = f", {c.location}" if c.location else ""
    status = "" if c.status == "posted" else f", {c.status}"
    flag = ", marked unusual" if c.unusual else ""
    return f"{c.id}: {dollars(c.amount_cents)} at {c.merchant}{what}{where}, {spoken_date(c.at)}{status}{flag}."


def _charges_phrase(charges: Sequence[ChargeView]) -> str:
    """``the $489.00 charge at Lagos Gadget Hub on November 16`` / ``2 charges: ... and ...`` (for read-backs)."""
    one = [f"{dollars(c.amount_cents)} at {c.merchant} on {spoken_date(c.at)}" for c in charges]
    if len(one) == 1:
        return f"the charge of {one[0]}"
    return f"{len(one)} charges ({'; '.join(one[:-1])} and {one[-1]})"


def _amount(value: str) -> int | None:
    text = clean_text(value, field="amount", max_len=40)
    if not text:
        return None
    cents = parse_amount_cents(text)
    if cents is None or cents == 0:
        raise ToolError(f"'{preview(text)}' is not an amount of dollars. Pass it like 89 or 1.49, or leave it empty.")
    return cents


@function_tool
async def verify_transaction(context: Ctx, amount: str = "", merchant: str = "") -> str:
    """Read the caller's card charges of the last 30 days (amount, merchant, date, place), unusual ones marked.

    Use it when the caller asks about a charge or thinks something is wrong.

    Args:
        amount: Only charges of about this amount, in dollars as the caller said it ("89", "$1.49"), or "".
        merchant: Only charges whose merchant, item or place matches these words ("Lagos", "gadget hub"), or "".
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    cents = _amount(amount)
    words = clean_text(merchant, field="merchant", max_len=80) or None
    async with service_errors():
        everything = await ctx.services.account_security.recent_charges(customer.id)
        found = (
            await ctx.services.account_security.recent_charges(
                customer.id, amount_cents=cents, exact_amount="." in amount, merchant=words
            )
            if cents is not None or words
            else everything
        )
    if not everything:
        return f"The caller's card has no charges in the last {RECENT_DAYS} days."
    if not found:
        about = " ".join(
            x for x in (f"of about {dollars(cents)}" if cents else "", f"matching '{words}'" if words else "") if x
        )
        return (
            f"No charge {about} in the last {RECENT_DAYS} days. "
            + "Other charges: "
            + " ".join(_charge_line(c) for c in everything[:MAX_LISTED])
        )
    unusual = sum(1 for c in everything if c.unusual)
    head = (
        f"{len(everything)} charges in the last {RECENT_DAYS} days, {unusual} marked unusual."
        if cents is None and not words
        else f"{len(found)} matching charge{'s' if len(found) != 1 else ''}."
    )
    more = f" ({len(found) - MAX_LISTED} more not listed.)" if len(found) > MAX_LISTED else ""
    advice = (
        " Ask whether the caller recognises the unusual ones; unrecognised charges can be reported as fraud."
        if any(c.unusual for c in found[:MAX_LISTED])
        else ""
    )
    return head + " " + " ".join(_charge_line(c) for c in found[:MAX_LISTED]) + more + advice


@function_tool
async def flag_suspicious_activity(context: Ctx, description: str, charges: str = "") -> ToolResult:
    """Open a suspicious-activity case for the security team, after code's read-back and the caller's yes.

    For sign-ins, emails or charges the caller doesn't trust. Charges stay as they are; to dispute a charge
    use the fraud report instead.

    Args:
        description: What the caller noticed, one or two sentences in their words.
        charges: The charges concerned as the caller described them ("the one from Lagos", "the 489 dollar
            one", "the two small test charges"), or "" for none.
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    text = redact(free_text(description, field="description", max_len=MAX_DESCRIPTION))
    reference = clean_text(charges, field="charges", max_len=MAX_REFERENCE)
    service = ctx.services.account_security
    async with service_errors():
        named = await service.resolve_charges(customer.id, reference) if reference else []
        ids = [c.id for c in named]
        await service.check_suspicious_activity(customer.id, text, ids)
    about = f" about {_charges_phrase(named)}" if named else ""

    async def _flag() -> str:
        async with service_errors():
            case = await service.flag_suspicious_activity(customer.id, text, ids)
        ctx.note_action(f"Suspicious-activity case {case.id} opened" + (f" ({', '.join(ids)})" if ids else ""))
        return (
            f"Case {case.id} is open. Our security team reviews it within one business day and contacts you by email."
        )

    return propose_write(
        context,
        name="flag_suspicious_activity",
        arguments={"charges": ids, "description": text},
        read_back=f"I'll open a suspicious-activity case for our security team{about}, noting: {text}.",
        execute=_flag,
    )


@function_tool
async def report_fraud(context: Ctx, charges: str, description: str) -> ToolResult:
    """Report charges the caller did not make as fraud and dispute them, after code's read-back and their yes.

    Disputed charges are not paid during the review.

    Args:
        charges: The charges as the caller described them ("the one from Lagos", "the 489 dollar one and the
            two small test charges", "all the unusual ones"), or their ids from the charge list.
        description: What happened, one or two sentences in the caller's words.
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    reference = free_text(charges, field="charges", max_len=MAX_REFERENCE)
    text = redact(free_text(description, field="description", max_len=MAX_DESCRIPTION))
    service = ctx.services.account_security
    async with service_errors():
        named = await service.resolve_charges(customer.id, reference)
        ids = [c.id for c in named]
        await service.check_fraud_report(customer.id, ids, text)
    phrase = _charges_phrase(named)
    it = "it" if len(named) == 1 else "them"

    async def _report() -> str:
        async with service_errors():
            case = await service.report_fraud(customer.id, ids, text)
        ctx.note_action(f"Fraud case {case.id} opened; disputed {', '.join(ids)} ({dollars(case.disputed_cents)})")
        return (
            f"Case {case.id} is open and {phrase} {'is' if len(named) == 1 else 'are'} disputed: you won't pay "
            f"{it} while we investigate, and confirmed fraud is credited back to your card within "
            f"{FRAUD_CREDIT_BUSINESS_DAYS} business days."
        )

    return propose_write(
        context,
        name="report_fraud",
        arguments={"charges": ids, "description": text},
        read_back=f"I'll report {phrase} as fraud and dispute {it}.",
        execute=_report,
    )


@function_tool
async def lock_account(context: Ctx, reason: str) -> ToolResult:
    """Lock the caller's account; code confirms with the last four digits of their card or SSN (step-up).

    No sign-ins, orders or changes until the security team unlocks it with them. After the lock no account
    tool works for the rest of the call, so report fraud first.

    Args:
        reason: Why, in one short sentence ("someone else signed in").
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    why = redact(free_text(reason, field="reason", max_len=MAX_REASON))
    service = ctx.services.account_security
    async with service_errors():
        await service.check_lock(customer.id, why)

    async def _lock() -> str:
        async with service_errors():
            await service.lock_account(customer.id, why)
        ctx.account_locked = True
        ctx.note_action("Account locked for security")
        return (
            "Your account is locked: no one can sign in, order or change anything. Our security team will "
            "contact you by email to unlock it with you."
        )

    return propose_write(
        context,
        name="lock_account",
        arguments={"reason": why},
        read_back=(
            "I'll lock your account now: no sign-ins, orders or changes until our security team unlocks it "
            "with you, and I won't be able to look at your account for the rest of this call."
        ),
        execute=_lock,
        step_up=True,
    )


@function_tool
async def reset_password(context: Ctx) -> ToolResult:
    """Send a password-reset link to the email on file; code confirms with the last four digits (step-up).

    Code speaks only a masked address. Never ask for or say a password.
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    service = ctx.services.account_security
    async with service_errors():
        masked = await service.check_password_reset(customer.id)
    minutes = int(RESET_TTL.total_seconds() // 60)

    async def _send() -> str:
        async with service_errors():
            sent = await service.send_password_reset(customer.id)
        ctx.note_action("Password reset link sent")
        return f"Sent. The link is on its way to {sent.sent_to} and expires in {minutes} minutes."

    return propose_write(
        context,
        name="reset_password",
        arguments={"sent_to": masked},
        read_back=f"I'll send a password reset link to {masked}; it expires in {minutes} minutes.",
        execute=_send,
        step_up=True,
    )


SECURITY_TOOLS: list[llm.Tool] = [
    verify_transaction,
    flag_suspicious_activity,
    report_fraud,
    lock_account,
    reset_password,
]
