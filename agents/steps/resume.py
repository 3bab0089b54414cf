"""Resume a dropped call: the offer, the shortened re-verification and the restore, led by code.

When the same caller comes back within the window (:func:`worker.call_state.find_resumable_call`
sets ``ctx.resumable``), authentication starts with the offer instead of the first name:

``RESUME_OFFER`` ("Welcome back, it looks like our call was cut off. Would you like to continue where
we left off?") → yes: ``RESUME_PHONE`` (the caller says the number on the account; on the phone,
when the caller's number is the one on the record, code reads it back instead) → ``RESUME_PHONE_CONFIRM``
(read back in groups, a yes decided by code, then compared with the record) → ``RESUME_FACTOR`` (the
last four of the SSN or card, checked against the stored digests by
:meth:`services.customers.CustomerService.step_up`: audited, and a failure counts towards the account's
lockout) → the dropped call is taken over atomically (:meth:`services.calls.CallStateService.mark_resumed`)
and restored (:func:`call.snapshot.restore`): the verified customer, the intent, the actions done and
the pending request; then the disclosure if the offer was not answered in the dropped call (it must
be played before the caller leaves authentication), and the hand-back to the saved agent through the
coordinator (:func:`agents.steps.verification.route_or_ask`), whose transfer summary tells that agent
what was done.

"No" to the offer → the usual verification from the first name, and the saved call is closed (not
offered again). A phone number that does not match the record, or a wrong factor → a counted failed
attempt, nothing restored, the saved call closed (one try per dropped call), and the usual verification.
Values come only from the caller's words of the answering turn (:mod:`call.parse`), as in every step;
on the phone the keypad answers too (1 yes / 2 no, the four digits), like the other steps (:mod:`call.keypad`).
"""

from __future__ import annotations

import logging

from call.answers import YesNo, classify_yes_no
from call.context import AuthStep, CustomerContext
from call.keypad import KeypadEntry, keyed_last_four, keyed_yes_no
from call.parse import grouped_digits, parse_last_four, parse_phone, spoken_digits
from call.redaction import redact
from call.snapshot import ResumeRefused, Reverified, restore
from services import ServiceError
from services.calls import ResumeIdentity

from ..base import CodeReply
from .verification import STEPS, Step, Turn, confirm_hint, disclosure_reply, go, reask, route_or_ask, take_phone

logger = logging.getLogger("marketplace.resume")

RESUME_LEAD = "Thanks for calling the Marketplace help desk."
"""Spoken before the offer when the call starts (instead of the usual greeting)."""
OFFER_QUESTION = "Welcome back, it looks like our call was cut off. Would you like to continue where we left off?"
FRESH_START = "No problem, let's start fresh. I'll verify your identity first."
NOT_CONFIRMED = (
    "I'm sorry, I couldn't confirm those details, so I can't pick up the earlier call. "
    "Let's verify your identity the usual way."
)
UNAVAILABLE = "I'm sorry, I can't pick up the earlier call. Let's verify your identity the usual way."


def offer_resume(ctx: CustomerContext) -> str | None:
    """Start authentication with the offer when a dropped call of this caller may be continued.

    Called by :meth:`agents.authentication.AuthenticationAgent.on_enter`. Moves a fresh call
    (nobody verified, no transfer yet, at the first step) to :attr:`AuthStep.RESUME_OFFER`.

    Returns:
        The lead line to speak before the step's question, or ``None`` when there is nothing to offer.
    """
    v = ctx.verification
    if ctx.resumable is None or v.customer is not None or ctx.transfers or v.step is not AuthStep.FIRST_NAME:
        return None
    ctx.advance(AuthStep.RESUME_OFFER)
    return RESUME_LEAD


async def _identity(ctx: CustomerContext) -> ResumeIdentity | None:
    """The record of the saved call's customer; ``None`` if there is none, it is locked, or it cannot be read."""
    saved = ctx.resumable
    if saved is None or saved.customer_id is None:
        return None
    try:
        identity = await ctx.services.calls.resume_identity(saved.customer_id)
    except ServiceError as exc:
        logger.warning("customer record for resuming not read: %s", redact(str(exc)))
        return None
    if identity is None or identity.locked:
        return None
    return identity


async def give_up(turn: Turn, line: str, *, counted: bool) -> CodeReply:
    """Do not resume: close the saved call (not offered again) and start the usual verification.

    Args:
        turn: The caller's turn.
        line: What to say before the first question.
        counted: A failed identity check (a phone number that does not match, a wrong factor): counts
            towards the call's attempts, and at the maximum the caller is locked out.
    """
    ctx, v = turn.ctx, turn.ctx.verification
    saved, ctx.resumable = ctx.resumable, None
    v.phone = None
    if saved is not None:
        try:
            await ctx.services.calls.mark_closed(saved.call_id, completed=True)
        except ServiceError as exc:
            logger.warning("saved call not closed: %s", redact(str(exc)))
    if counted:
        v.failed_attempts += 1
        logger.info("resume re-verification failed (attempt %d of %d)", v.failed_attempts, ctx.max_auth_attempts)
        if v.failed_attempts >= ctx.max_auth_attempts:
            return go(turn, AuthStep.LOCKED_OUT, "I'm sorry, I couldn't verify those details.")
    return go(turn, AuthStep.FIRST_NAME, line)


class ResumeOfferStep(Step):
    key = AuthStep.RESUME_OFFER
    listen = "yes_no"
    slot = "where we left off"

    def question(self, ctx: CustomerContext) -> str:
        return OFFER_QUESTION

    async def answer(self, turn: Turn) -> CodeReply | None:
        answer = classify_yes_no(turn.text)
        if answer is YesNo.NO:
            logger.info("caller declined to resume the dropped call")
            return await give_up(turn, FRESH_START, counted=False)
        if answer is not YesNo.YES:
            return reask(turn, f"Sorry, please say yes or no. {self.question(turn.ctx)}")
        ctx = turn.ctx
        identity = await _identity(ctx)
        if identity is None:
            return await give_up(turn, UNAVAILABLE, counted=False)
        if ctx.channel == "phone" and ctx.caller_number and ctx.caller_number == identity.phone:
            # The caller's own line is the number on the record: read it back (it discloses nothing new).
            ctx.verification.phone = identity.phone
            return go(turn, AuthStep.RESUME_PHONE_CONFIRM, "Great, first a quick check.")
        return go(turn, AuthStep.RESUME_PHONE, "Great, first a quick check.")

    def keypad_words(self, entry: KeypadEntry) -> str | None:
        return keyed_yes_no(entry)

    def model_note(self, ctx: CustomerContext) -> str:
        return (
            "The caller's previous call was cut off and code offered to continue it; code decides their yes or "
            "no and checks their identity. Share no account details. Reply to what they said in one short "
            f"sentence, then ask exactly: '{self.question(ctx)}'"
        )


class ResumePhoneStep(Step):
    key = AuthStep.RESUME_PHONE
    slot = "phone number"
    listen = "digits"

    def question(self, ctx: CustomerContext) -> str:
        return "What's the phone number on your account?"

    async def answer(self, turn: Turn) -> CodeReply | None:
        return take_phone(turn, parse_phone(turn.text), confirm=AuthStep.RESUME_PHONE_CONFIRM)


class ResumePhoneConfirmStep(Step):
    key = AuthStep.RESUME_PHONE_CONFIRM
    listen = "yes_no"

    def question(self, ctx: CustomerContext) -> str:
        phone = ctx.verification.phone or ""
        if ctx.channel == "phone" and phone and phone == ctx.caller_number:
            return (
                f"I see you're calling from {grouped_digits(phone)}. Is that the number on your account?"
                f"{confirm_hint(ctx)}"
            )
        return f"I have {grouped_digits(phone)}. Is that right?{confirm_hint(ctx)}"

    def keypad_words(self, entry: KeypadEntry) -> str | None:
        return keyed_yes_no(entry)

    async def answer(self, turn: Turn) -> CodeReply | None:
        ctx, v = turn.ctx, turn.ctx.verification
        answer = classify_yes_no(turn.text)
        if answer is YesNo.YES:
            identity = await _identity(ctx)
            if identity is None:
                return await give_up(turn, UNAVAILABLE, counted=False)
            if v.phone != identity.phone:
                return await give_up(turn, NOT_CONFIRMED, counted=True)
            return go(turn, AuthStep.RESUME_FACTOR, "Thank you.")
        corrected = parse_phone(turn.text)
        if corrected is not None:
            v.phone = corrected
            ctx.advance(AuthStep.RESUME_PHONE_CONFIRM)
            return CodeReply.say(self.question(ctx))
        if answer is YesNo.NO or v.step_misses >= 1:
            v.phone = None
            return go(turn, AuthStep.RESUME_PHONE, "Sorry about that.")
        v.step_misses += 1
        return CodeReply.say(f"Sorry, please say yes or no. {self.question(ctx)}")


class ResumeFactorStep(Step):
    key = AuthStep.RESUME_FACTOR
    slot = "last four"
    listen = "digits"

    def question(self, ctx: CustomerContext) -> str:
        return "And the last four digits of your Social Security number or of the card on file?"

    async def answer(self, turn: Turn) -> CodeReply | None:
        ctx = turn.ctx
        saved = ctx.resumable
        parsed = parse_last_four(turn.text)
        if parsed is None:
            if not spoken_digits(turn.text):
                return None
            return reask(turn, "Please say just the last four digits of your Social Security number or card.")
        if saved is None or saved.customer_id is None:
            return await give_up(turn, UNAVAILABLE, counted=False)
        try:
            matched = await ctx.services.customers.step_up(saved.customer_id, parsed.digits)
        except ServiceError as exc:
            logger.warning("resume factor check failed to run: %s", redact(str(exc)))
            return CodeReply.say(f"I'm sorry, I couldn't check that just now. {self.question(ctx)}")
        if not matched:
            return await give_up(turn, NOT_CONFIRMED, counted=True)
        return await _resume(turn)

    def keypad_words(self, entry: KeypadEntry) -> str | None:
        return keyed_last_four(entry)


async def _resume(turn: Turn) -> CodeReply:
    """Re-verified: take the dropped call over, restore it, then the disclosure if due, or back to the saved agent."""
    ctx = turn.ctx
    saved = ctx.resumable
    identity = await _identity(ctx)
    if saved is None or identity is None:
        return await give_up(turn, UNAVAILABLE, counted=False)
    try:
        taken = await ctx.services.calls.mark_resumed(saved.call_id, by_call_id=ctx.call_id)
    except ServiceError as exc:
        logger.warning("saved call not taken over: %s", redact(str(exc)))
        taken = False
    if not taken:  # resumed meanwhile by another call, or closed
        return await give_up(turn, UNAVAILABLE, counted=False)
    try:
        state = restore(ctx, saved, Reverified(call_id=saved.call_id, identity=identity))
    except ResumeRefused as exc:
        logger.warning("saved call not restored: %s", exc)
        return await give_up(turn, UNAVAILABLE, counted=False)
    try:  # an account the security desk locked stays locked: account tools refuse (fail closed)
        ctx.account_locked = await ctx.services.account_security.is_security_locked(identity.customer.id)
    except ServiceError:
        ctx.account_locked = True
    logger.info("dropped call %s resumed by call %s (back to %s)", saved.call_id, ctx.call_id, state.agent)
    lead = f"Thank you, {identity.customer.first_name}, you're verified."
    if state.offer_answer is None:
        return disclosure_reply(ctx, lead)  # the mandatory disclosure was not answered in the dropped call
    return route_or_ask(turn, lead)


RESUME_STEPS: tuple[Step, ...] = (ResumeOfferStep(), ResumePhoneStep(), ResumePhoneConfirmStep(), ResumeFactorStep())
"""The steps of resuming a dropped call."""

STEPS.update({step.key: step for step in RESUME_STEPS})  # registered on import (see verification.STEPS)
