"""Identity verification tools of the authentication agent: the state machine lives here, in code.

Order (see :class:`agents.context.AuthStep`): first name → phone (read back, confirmed) → date of
birth → last four of SSN or card (``authenticate_user``) → address confirmed or saved → the
disclosure played verbatim (``read_disclosure``) → the offer answer (``log_offer_response``).
Each tool refuses, with a sentence naming the step due, when called out of order. After
``max_auth_attempts`` failed checks the call is locked out: only the human agent remains.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Literal

from livekit.agents import RunContext, ToolError, function_tool, llm
from livekit.agents.llm import ChatMessage
from pydantic import Field

from agents.prompts import text as prompt_text
from call.context import AuthStep, CustomerContext
from call.redaction import redact
from services import LockedOutError
from services.customers import OfferAnswer

from .common import digits_grouped, free_text, iso_date, person_name, service_errors, us_phone
from .grounding import caller_said_digits, caller_said_name

logger = logging.getLogger("marketplace.tools.auth")

Ctx = RunContext[CustomerContext]
MIN_AGE_YEARS, MAX_AGE_YEARS = 13, 120
"""Plausible caller ages; marketplace accounts require age 13+ (terms of service)."""

_STEP_PROMPTS = {
    AuthStep.FIRST_NAME: "ask for the caller's first name",
    AuthStep.PHONE: "ask for the phone number on the account",
    AuthStep.PHONE_CONFIRM: "read the phone number back and ask if it is correct",
    AuthStep.DATE_OF_BIRTH: "ask for the date of birth",
    AuthStep.LAST_FOUR: "ask for the last four digits of their SSN or of their card on file, and which one",
    AuthStep.ADDRESS: "confirm the address on file",
    AuthStep.DISCLOSURE: "call read_disclosure",
    AuthStep.OFFER_RESPONSE: "ask whether they accept, decline, or want a reminder about the offer",
    AuthStep.DONE: "route the caller to the agent for their request",
    AuthStep.LOCKED_OUT: "offer the human agent; identity cannot be verified in this call",
}


def _expect(ctx: CustomerContext, *allowed: AuthStep) -> None:
    step = ctx.verification.step
    if step not in allowed:
        raise ToolError(
            f"Not now: the current verification step is {step.value.replace('_', ' ')}; {_STEP_PROMPTS[step]}."
        )


def _await_answer(ctx: CustomerContext) -> None:
    """Refuse a step's answer given in the same turn as its question (the model answering for the caller)."""
    if not ctx.caller_answered_step:
        raise ToolError(
            f"The caller has not answered yet: {_STEP_PROMPTS[ctx.verification.step]}, then wait for their reply."
        )


def _not_verified(ctx: CustomerContext) -> None:
    if ctx.verification.verified:
        raise ToolError("The caller is already verified; do not collect identity details again.")
    if ctx.verification.locked_out:
        raise ToolError(_STEP_PROMPTS[AuthStep.LOCKED_OUT])


@function_tool
async def record_first_name(context: Ctx, first_name: str, caller_request: str = "") -> str:
    """Record the caller's first name (first verification step; may be called again to correct it).

    Args:
        first_name: The first name as the caller said or spelled it.
        caller_request: What the caller wants help with, if they said it (no digits).
    """
    ctx = context.userdata
    _not_verified(ctx)
    name = person_name(first_name)
    request = free_text(caller_request, field="caller request", max_len=200) if caller_request.strip() else None
    if not caller_said_name(ctx, name):
        raise ToolError("The caller has not said that name. Ask for their first name; never guess it.")
    ctx.verification.first_name = name
    if request:
        ctx.intent = redact(request)
    if ctx.verification.step is AuthStep.FIRST_NAME:
        ctx.advance(AuthStep.PHONE)
    return f"Noted. Next: {_STEP_PROMPTS[ctx.verification.step]}."


@function_tool
async def record_phone_number(context: Ctx, phone_number: str) -> str:
    """Record the phone number on the account; returns how to read it back for confirmation.

    Args:
        phone_number: The 10-digit US number exactly as the caller said it, digits only.
    """
    ctx = context.userdata
    _not_verified(ctx)
    if ctx.verification.first_name is None:
        _expect(ctx, AuthStep.PHONE)
    phone = us_phone(phone_number)
    if not caller_said_digits(ctx, phone[-10:]) and not caller_said_digits(ctx, phone[-7:]):
        raise ToolError("The caller has not said that number. Ask for the phone number; never guess it.")
    ctx.verification.phone = phone
    ctx.advance(AuthStep.PHONE_CONFIRM)
    return f"Read the number back in groups, '{digits_grouped(ctx.verification.phone)}', and ask if it is correct."


@function_tool
async def confirm_phone_number(context: Ctx, caller_says_correct: bool) -> str:
    """Record the caller's answer to the phone read-back.

    Args:
        caller_says_correct: True if the caller said the read-back number is right.
    """
    ctx = context.userdata
    _not_verified(ctx)
    _expect(ctx, AuthStep.PHONE_CONFIRM)
    _await_answer(ctx)
    if caller_says_correct:
        ctx.advance(AuthStep.DATE_OF_BIRTH)
    else:
        ctx.verification.phone = None
        ctx.advance(AuthStep.PHONE)
    return f"Next: {_STEP_PROMPTS[ctx.verification.step]}."


@function_tool
async def record_date_of_birth(context: Ctx, date_of_birth: str) -> str:
    """Record the caller's date of birth.

    Args:
        date_of_birth: The caller's date of birth as YYYY-MM-DD.
    """
    ctx = context.userdata
    _not_verified(ctx)
    _expect(ctx, AuthStep.DATE_OF_BIRTH, AuthStep.LAST_FOUR)
    _await_answer(ctx)
    dob = iso_date(date_of_birth, field="date of birth")
    today = ctx.services.clock.today()
    age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    if not MIN_AGE_YEARS <= age <= MAX_AGE_YEARS:
        raise ToolError("That date of birth is not plausible. Ask the caller to repeat it.")
    ctx.verification.date_of_birth = dob
    ctx.advance(AuthStep.LAST_FOUR)
    return f"Next: {_STEP_PROMPTS[AuthStep.LAST_FOUR]}."


@function_tool
async def authenticate_user(
    context: Ctx,
    last_four: Annotated[str, Field(description="Exactly the four digits the caller said.")],
    digits_type: Literal["ssn", "card"],
) -> str:
    """Verify the caller: first name, phone, date of birth and the last four digits together.

    Args:
        last_four: The last four digits the caller gave.
        digits_type: "ssn" for Social Security number, "card" for the payment card on file.
    """
    ctx = context.userdata
    _not_verified(ctx)
    _expect(ctx, AuthStep.LAST_FOUR)
    v = ctx.verification
    digits = re.sub(r"[\s\-]", "", last_four)
    if not re.fullmatch(r"\d{4}", digits):
        raise ToolError("The last four must be exactly four digits. Ask the caller to repeat them.")
    if not caller_said_digits(ctx, digits):
        raise ToolError(
            "The caller has not said those digits, so nothing was checked. Ask for the last four digits; never guess."
        )
    assert v.first_name is not None and v.phone is not None and v.date_of_birth is not None
    try:
        async with service_errors():
            result = await ctx.services.customers.verify(
                first_name=v.first_name, phone=v.phone, date_of_birth=v.date_of_birth, last4=digits, kind=digits_type
            )
    except ToolError as exc:
        if isinstance(exc.__cause__, LockedOutError):
            ctx.advance(AuthStep.LOCKED_OUT)
        raise
    if result.customer is None:
        v.failed_attempts += 1
        logger.info("verification failed (attempt %d of %d)", v.failed_attempts, ctx.max_auth_attempts)
        if v.failed_attempts >= ctx.max_auth_attempts:
            ctx.advance(AuthStep.LOCKED_OUT)
            raise ToolError(
                "Verification failed too many times; the caller is locked out. Say you cannot verify them on "
                "this call and offer to transfer them to a human agent."
            )
        ctx.advance(AuthStep.DATE_OF_BIRTH)
        left = ctx.max_auth_attempts - v.failed_attempts
        raise ToolError(
            f"Those details do not match our records ({left} attempt{'s' if left != 1 else ''} left). Do not say "
            "which detail was wrong. Ask for the date of birth again, then the last four digits; if the caller "
            "thinks the name or phone was wrong, record them again."
        )
    v.customer, v.secret_kind, v.verified_at = result.customer, digits_type, ctx.services.clock.now()
    v.address_on_file = result.address
    ctx.advance(AuthStep.ADDRESS)
    ctx.note_action("Identity verified")
    logger.info("caller verified as %s", result.customer.id)
    if result.address is None:
        return "Verified. There is no address on file: ask for their street, city, state and ZIP code."
    return f"Verified. Read the address on file, '{result.address.spoken()}', and ask if it is still correct."


@function_tool
async def save_address(
    context: Ctx,
    address_is_current: bool,
    street: str = "",
    city: str = "",
    state: str = "",
    zip_code: str = "",
) -> str:
    """Confirm the address on file, or save a new one the caller gave.

    Args:
        address_is_current: True if the caller confirmed the address on file (other fields ignored).
        street: New street line, e.g. "12 Oak Avenue, Apt 3".
        city: New city.
        state: Two-letter state code, e.g. "CA".
        zip_code: Five-digit ZIP code.
    """
    ctx = context.userdata
    _expect(ctx, AuthStep.ADDRESS)
    _await_answer(ctx)
    customer = ctx.require_verified()
    if address_is_current:
        if ctx.verification.address_on_file is None:
            raise ToolError("There is no address on file to confirm; ask for the full address.")
    else:
        if not re.fullmatch(r"[A-Za-z]{2}", state.strip()):
            raise ToolError("Use the two-letter state code, e.g. CA for California.")
        async with service_errors():
            saved = await ctx.services.customers.save_address(
                customer.id,
                line1=free_text(street, field="street", max_len=120),
                city=free_text(city, field="city", max_len=60),
                region=free_text(state, field="state", max_len=2),
                postal_code=zip_code,
            )
        ctx.verification.address_on_file = saved
        ctx.note_action("Address updated")
    ctx.advance(AuthStep.DISCLOSURE)
    return "Address confirmed. Now call read_disclosure; do not paraphrase the offer yourself."


@function_tool
async def read_disclosure(context: Ctx) -> str:
    """Play the mandatory loyalty-offer disclosure verbatim (not generated) and record how much played."""
    ctx = context.userdata
    _expect(ctx, AuthStep.DISCLOSURE, AuthStep.OFFER_RESPONSE)
    full = prompt_text("disclosure")
    record = ctx.disclosure
    record.started_at, record.ended_at = ctx.services.clock.now(), None
    # Let the reply that announced the disclosure finish first, then speak the exact text.
    await context.wait_for_playout()
    handle = context.session.say(full, allow_interruptions=True, add_to_chat_ctx=True)
    await handle.wait_for_playout()
    spoken = " ".join(
        (m.text_content or "") for m in handle.chat_items if isinstance(m, ChatMessage) and m.role == "assistant"
    )
    record.interrupted = handle.interrupted
    record.played_pct = 100 if not handle.interrupted else min(99, round(100 * len(spoken) / len(full)))
    record.ended_at = ctx.services.clock.now()
    ctx.advance(AuthStep.OFFER_RESPONSE)
    if record.interrupted:
        return (
            f"The caller interrupted the disclosure at {record.played_pct}%. Answer them, then ask whether they "
            "accept, decline, or want a reminder later (call read_disclosure again if they want it in full)."
        )
    return "The disclosure played in full. Ask whether they accept, decline, or want a reminder later."


@function_tool
async def log_offer_response(context: Ctx, response: OfferAnswer) -> str:
    """Record the caller's answer to loyalty offer a-592 (after the disclosure played).

    Args:
        response: ACCEPTED, DECLINED or REMIND_LATER.
    """
    ctx = context.userdata
    _expect(ctx, AuthStep.OFFER_RESPONSE)
    _await_answer(ctx)
    customer = ctx.require_verified()
    record = ctx.disclosure
    async with service_errors():
        await ctx.services.customers.record_offer_response(
            customer.id,
            offer_id=record.offer_id,
            response=response,
            disclosure_completed=record.completed,
            disclosure_played_pct=record.played_pct,
        )
    record.response, record.responded_at = response, ctx.services.clock.now()
    ctx.advance(AuthStep.DONE)
    ctx.note_action(f"Loyalty offer {record.offer_id}: {response}")
    intent = ctx.intent or "not stated yet: ask how you can help"
    return f"Logged. The caller's original request: {intent}. Transfer them to the right agent now."


STEP_TOOLS: dict[AuthStep, tuple[str, ...]] = {
    AuthStep.FIRST_NAME: ("record_first_name",),
    AuthStep.PHONE: ("record_phone_number", "record_first_name"),
    AuthStep.PHONE_CONFIRM: ("confirm_phone_number", "record_phone_number"),
    AuthStep.DATE_OF_BIRTH: ("record_date_of_birth", "record_phone_number", "record_first_name"),
    AuthStep.LAST_FOUR: ("authenticate_user", "record_date_of_birth", "record_phone_number", "record_first_name"),
    AuthStep.ADDRESS: ("save_address",),
    AuthStep.DISCLOSURE: ("read_disclosure",),
    AuthStep.OFFER_RESPONSE: ("log_offer_response", "read_disclosure"),
    AuthStep.DONE: (),
    AuthStep.LOCKED_OUT: (),
}
"""Authentication tools the model is shown at each step (the due step, plus corrections of earlier
answers). The transfer tool is always shown. Tools called out of order are still refused in code."""

AUTH_TOOLS: list[llm.Tool] = [
    record_first_name,
    record_phone_number,
    confirm_phone_number,
    record_date_of_birth,
    authenticate_user,
    save_address,
    read_disclosure,
    log_offer_response,
]
