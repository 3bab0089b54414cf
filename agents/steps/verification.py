"""Identity verification, the disclosure and the offer answer, led by code.

The sequence (migration spec, retail scenario): first name → phone number, read back in groups
and confirmed → date of birth → last four of the SSN or card, and which → the check against the
stored digests → the address on file confirmed (or a new one saved after a read-back) → the
loyalty disclosure played verbatim → the caller's answer to offer a-592 → the original request
routed. Each :class:`Step` below owns its question, what it captures from the caller's own
words, its read-back and its transition, in one place.

*Capture.* Values come only from the caller's final transcript of the turn that answers the
question (:mod:`call.parse`), whole: all ten phone digits, the full date, exactly four digits.
Nothing the model says or passes counts. No usable value: the step stays; a partial value gets
a code re-ask ("I heard seven digits..."); anything else (a question, "why do you need that?",
the caller's request) goes to the LLM with a note naming the step's question, then the step
resumes on the next turn.

*Speech.* Questions and read-backs are templates spoken with ``session.say``; when code answers
a turn the LLM is not called at all.

*Keypad* (phone calls, :mod:`agents.keypad`). After one failed spoken try at the date of birth or
the last four, code offers the keypad (MMDDYYYY; the four digits then 1 for SSN or 2 for card; ``#``).
Read-backs add "Press 1 to confirm, or 2 to change." A keypad entry is turned into the words the
step already reads (:mod:`call.keypad`) and goes through the step's own :meth:`Step.answer`: the
same capture, validation, identity check and transitions as speech, with no LLM request.

*Why not LiveKit's AgentTask/TaskGroup.* Those run one LLM-driven sub-agent per slot, which
completes when the model calls its tool: the model decides what the caller said. Here code must
decide, from the caller's own words, without an LLM round trip; and a task per slot would add an
activity switch (drain, new chat context) to every answer. We keep their good ideas: one unit per
slot, grouped read-back of the phone number (``GetPhoneNumberTask``) and a full date with the year
(``GetDOBTask``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from call.answers import YesNo, classify_offer, classify_yes_no
from call.context import AuthStep, CustomerContext
from call.keypad import (
    CONFIRM_HINT,
    KEYPAD_MESSAGE,
    KeypadEntry,
    keyed_date,
    keyed_last_four,
    keyed_secret_kind,
    keyed_yes_no,
)
from call.parse import (
    grouped_digits,
    parse_date,
    parse_first_name,
    parse_last_four,
    parse_phone,
    secret_kind,
    spoken_digits,
)
from call.redaction import redact
from services import LockedOutError, ServiceError
from services.customers import OfferAnswer, SecretKind
from tools.human_transfer import colleague

from ..base import CodeReply, Speech
from ..listening import ListenMode
from ..prompts import text as prompt_text
from .routing import looks_like_request, route_for_intent, route_for_request

if TYPE_CHECKING:
    from livekit.agents.voice import SpeechHandle

    from ..base import MarketplaceAgent

logger = logging.getLogger("marketplace.verification")

MIN_AGE_YEARS, MAX_AGE_YEARS = 13, 120
"""Plausible caller ages; marketplace accounts require age 13+ (terms of service)."""
MAX_CODE_REASKS = 2
"""Code re-asks a step itself this many times for partial answers; after that the model helps."""

_OFFER_WORDS: dict[OfferAnswer, str] = {
    "ACCEPTED": "you'd like to join Marketplace Plus",
    "DECLINED": "you've declined the offer",
    "REMIND_LATER": "you'd like a reminder later",
}


@dataclass
class Turn:
    """What a step needs for one caller turn.

    Attributes:
        ctx: The call's userdata.
        agent: The authentication agent (source of code-led transfers).
        text: The caller's final transcript of this turn.
    """

    ctx: CustomerContext
    agent: MarketplaceAgent
    text: str


class Step:
    """One verification step: its question, capture, read-back and transition.

    Class attributes:
        key: The :class:`~call.context.AuthStep` it handles.
        listen: Endpointing and recognition hints while its answer is due.
    """

    key: ClassVar[AuthStep]
    listen: ClassVar[ListenMode] = "general"
    slot: ClassVar[str] = ""
    """Words that show a reply already asks for this step's answer (e.g. "first name")."""

    def question(self, ctx: CustomerContext) -> str:
        """What code asks when this step begins (and on a re-ask)."""
        raise NotImplementedError

    async def answer(self, turn: Turn) -> CodeReply | None:
        """Handle the caller's answer; ``None`` hands the turn to the LLM (with :meth:`model_note`)."""
        raise NotImplementedError

    def model_note(self, ctx: CustomerContext) -> str:
        """Instruction for an LLM turn during this step (never spoken)."""
        return (
            "Verification is in progress and code collects the details. Reply to what the caller said in one "
            "short sentence without repeating or inventing any personal details, then ask exactly: "
            f"'{self.question(ctx)}'"
        )

    # --- keypad ---

    def keypad_words(self, entry: KeypadEntry) -> str | None:
        """The words a keypad entry stands for at this step (``None``: the keypad is not used here).

        The words go through :meth:`answer`, exactly as if the caller had said them.
        """
        return None

    def keypad_retry(self, ctx: CustomerContext) -> str:
        """Said when a keypad entry gives nothing at this step."""
        return f"Sorry, I can't use the keypad for that. {self.question(ctx)}"

    async def keypad(self, turn: Turn, entry: KeypadEntry) -> CodeReply:
        """Handle a keypad entry: its words (:meth:`keypad_words`) are answered like speech, else a retry line."""
        words = self.keypad_words(entry)
        reply = None if words is None else await self.answer(Turn(turn.ctx, turn.agent, words))
        return reply if reply is not None else CodeReply.say(self.keypad_retry(turn.ctx))


def go(turn: Turn, step: AuthStep, *lines: str) -> CodeReply:
    """Advance to ``step`` and say ``lines`` followed by that step's question."""
    turn.ctx.advance(step)
    return CodeReply.say(" ".join([*lines, STEPS[step].question(turn.ctx)]))


def reask(turn: Turn, line: str) -> CodeReply | None:
    """A code re-ask of the current step, at most :data:`MAX_CODE_REASKS` times; then the model helps."""
    v = turn.ctx.verification
    v.step_misses += 1
    if v.step_misses > MAX_CODE_REASKS:
        return None
    return CodeReply.say(line)


def take_phone(turn: Turn, phone: str | None, *, confirm: AuthStep) -> CodeReply | None:
    """The phone number the caller said (``phone``, parsed by :func:`call.parse.parse_phone`), kept and read
    back at the ``confirm`` step; a partial number is asked again by code; no digits at all: the LLM replies."""
    if phone is None:
        heard = len(spoken_digits(turn.text))
        if heard == 0:
            return None
        return reask(
            turn,
            f"I heard {heard} digit{'s' if heard != 1 else ''}. Please say all ten digits of the phone "
            "number, area code first.",
        )
    turn.ctx.verification.phone = phone
    turn.ctx.advance(confirm)
    return CodeReply.say(STEPS[confirm].question(turn.ctx))


class FirstNameStep(Step):
    key = AuthStep.FIRST_NAME
    slot = "first name"
    listen = "name"

    def question(self, ctx: CustomerContext) -> str:
        return "May I have your first name?"

    async def answer(self, turn: Turn) -> CodeReply | None:
        name = parse_first_name(turn.text)
        if name is None:
            return None
        turn.ctx.verification.first_name = name
        return go(turn, AuthStep.PHONE, f"Thanks, {name}.")


class PhoneStep(Step):
    key = AuthStep.PHONE
    slot = "phone number"
    listen = "digits"

    def question(self, ctx: CustomerContext) -> str:
        if (caller := caller_id(ctx)) is not None:
            return (
                f"Is the number on your account the one you're calling from, ending in {grouped_digits(caller[-4:])}? "
                f"{CALLER_ID_KEYPAD}"
            )
        return "What's the phone number on your account?"

    async def answer(self, turn: Turn) -> CodeReply | None:
        phone = parse_phone(turn.text)
        if phone is None and (caller := caller_id(turn.ctx)) is not None:
            answer = classify_yes_no(turn.text)
            if answer is YesNo.YES:  # the number code got from the SIP trunk, confirmed by the caller
                turn.ctx.verification.phone = caller
                return go(turn, AuthStep.DATE_OF_BIRTH, "Thank you.")
            if answer is YesNo.NO:
                turn.ctx.caller_id_declined = True
                return CodeReply.say(f"No problem. {self.question(turn.ctx)}")
        return take_phone(turn, phone, confirm=AuthStep.PHONE_CONFIRM)

    async def keypad(self, turn: Turn, entry: KeypadEntry) -> CodeReply:
        """With the caller-ID question, 1 is a yes and 2 a no; otherwise the keypad is not used here."""
        if caller_id(turn.ctx) is None:
            return await super().keypad(turn, entry)
        reply = await self.answer(Turn(turn.ctx, turn.agent, keyed_yes_no(entry)))
        return reply if reply is not None else CodeReply.say(f"Sorry, I didn't get that. {self.question(turn.ctx)}")


class PhoneConfirmStep(Step):
    key = AuthStep.PHONE_CONFIRM
    listen = "yes_no"

    def question(self, ctx: CustomerContext) -> str:
        return f"I have {grouped_digits(ctx.verification.phone or '')}. Is that right?{confirm_hint(ctx)}"

    def keypad_words(self, entry: KeypadEntry) -> str | None:
        return keyed_yes_no(entry)

    async def answer(self, turn: Turn) -> CodeReply | None:
        answer = classify_yes_no(turn.text)
        if answer is YesNo.YES:
            return go(turn, AuthStep.DATE_OF_BIRTH, "Thank you.")
        corrected = parse_phone(turn.text)
        if corrected is not None:
            turn.ctx.verification.phone = corrected
            turn.ctx.advance(AuthStep.PHONE_CONFIRM)
            return CodeReply.say(self.question(turn.ctx))
        if answer is YesNo.NO or turn.ctx.verification.step_misses >= 1:
            turn.ctx.verification.phone = None
            return go(turn, AuthStep.PHONE, "Sorry about that. Let's try again.")
        turn.ctx.verification.step_misses += 1
        return CodeReply.say(f"Sorry, please say yes or no. {self.question(turn.ctx)}")


class DateOfBirthStep(Step):
    key = AuthStep.DATE_OF_BIRTH
    slot = "date of birth"
    listen = "digits"

    def question(self, ctx: CustomerContext) -> str:
        return f"What's your date of birth?{keypad_offer(ctx, DOB_KEYPAD)}"

    async def answer(self, turn: Turn) -> CodeReply | None:
        today = turn.ctx.services.clock.today()
        dob = parse_date(turn.text, today=today)
        if dob is None:
            if not spoken_digits(turn.text):
                return None
            return reask(turn, with_keypad(turn.ctx, "I need the full date of birth: the month, the day and the year."))
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        if not MIN_AGE_YEARS <= age <= MAX_AGE_YEARS:
            return reask(
                turn,
                with_keypad(turn.ctx, "Sorry, I didn't get a valid date. What's your date of birth, with the year?"),
            )
        turn.ctx.verification.date_of_birth = dob
        return go(turn, AuthStep.LAST_FOUR, "Thank you.")

    def keypad_words(self, entry: KeypadEntry) -> str | None:
        return keyed_date(entry)

    def keypad_retry(self, ctx: CustomerContext) -> str:
        offer_keypad(ctx)
        return (
            "Sorry, I couldn't use those keys. Please key in your date of birth as two digits for the month, "
            "two for the day and four for the year, then the pound key."
        )


class LastFourStep(Step):
    key = AuthStep.LAST_FOUR
    slot = "last four"
    listen = "digits"

    def question(self, ctx: CustomerContext) -> str:
        return (
            "Now the last four digits of your Social Security number or of the card on file, "
            f"and please tell me which one.{keypad_offer(ctx, LAST_FOUR_KEYPAD)}"
        )

    async def answer(self, turn: Turn) -> CodeReply | None:
        parsed = parse_last_four(turn.text)
        if parsed is None:
            heard = len(spoken_digits(turn.text))
            if heard == 0:
                return None
            return reask(
                turn,
                with_keypad(
                    turn.ctx, "Please say just the last four digits, and whether they're from your Social or card."
                ),
            )
        if parsed.kind is None:
            turn.ctx.verification.last_four_pending = parsed.digits
            turn.ctx.advance(AuthStep.LAST_FOUR_KIND)
            return CodeReply.say(STEPS[AuthStep.LAST_FOUR_KIND].question(turn.ctx))
        return await check_identity(turn, parsed.digits, parsed.kind)

    def keypad_words(self, entry: KeypadEntry) -> str | None:
        return keyed_last_four(entry)

    def keypad_retry(self, ctx: CustomerContext) -> str:
        offer_keypad(ctx)
        return (
            "Sorry, I couldn't use those keys. Please key in the last four digits, then 1 if they're from your "
            "Social Security number or 2 if they're from your card, then the pound key."
        )


class LastFourKindStep(Step):
    key = AuthStep.LAST_FOUR_KIND
    listen = "general"

    def question(self, ctx: CustomerContext) -> str:
        hint = f" {KIND_KEYPAD}" if on_phone(ctx) else ""
        return f"Are those the last four of your Social Security number, or of your card?{hint}"

    async def answer(self, turn: Turn) -> CodeReply | None:
        v = turn.ctx.verification
        digits, v.last_four_pending = v.last_four_pending, None
        kind = secret_kind(turn.text)
        if digits is None or kind is None:
            offer_keypad(turn.ctx)
            return go(turn, AuthStep.LAST_FOUR, "Sorry, let's do that again.")
        return await check_identity(turn, digits, kind)

    def keypad_words(self, entry: KeypadEntry) -> str | None:
        return keyed_secret_kind(entry) or ""  # other keys: as unclear as words that name neither


async def check_identity(turn: Turn, last4: str, kind: SecretKind) -> CodeReply:
    """All four factors against one customer record (the service compares salted digests).

    Success → the address read-back. Failure → a neutral re-try from the date of birth (never says
    which factor was wrong). The configured maximum of failures → locked out, a person offered.
    """
    ctx, v = turn.ctx, turn.ctx.verification
    assert v.first_name is not None and v.phone is not None and v.date_of_birth is not None
    try:
        result = await ctx.services.customers.verify(
            first_name=v.first_name,
            phone=v.phone,
            date_of_birth=v.date_of_birth,
            last4=last4,
            kind=kind,
        )
    except LockedOutError:
        return go(turn, AuthStep.LOCKED_OUT, "I'm sorry, this account is temporarily locked after failed checks.")
    except ServiceError as exc:
        logger.warning("identity check failed to run: %s", redact(str(exc)))
        return CodeReply.say(
            "I'm sorry, I couldn't check those details just now. "
            + STEPS[AuthStep.LAST_FOUR].question(ctx).replace("Now the", "Could you give me the", 1)
        )
    if result.customer is None:
        v.failed_attempts += 1
        logger.info("verification failed (attempt %d of %d)", v.failed_attempts, ctx.max_auth_attempts)
        if v.failed_attempts >= ctx.max_auth_attempts:
            return go(turn, AuthStep.LOCKED_OUT, "I'm sorry, I couldn't verify those details.")
        offer_keypad(ctx)
        return go(turn, AuthStep.DATE_OF_BIRTH, "I'm sorry, those details don't match our records. Let's try again.")
    v.customer, v.secret_kind, v.verified_at = result.customer, kind, ctx.services.clock.now()
    v.address_on_file = result.address
    try:  # an account the security desk locked stays locked in later calls: account tools refuse (fail closed)
        ctx.account_locked = await ctx.services.account_security.is_security_locked(result.customer.id)
    except ServiceError:
        ctx.account_locked = True
    ctx.note_action("Identity verified")
    logger.info("caller verified as %s", result.customer.id)
    if result.address is None:
        return go(turn, AuthStep.ADDRESS_NEW, f"Thank you, {result.customer.first_name}, you're verified.")
    return go(turn, AuthStep.ADDRESS, f"Thank you, {result.customer.first_name}, you're verified.")


class AddressStep(Step):
    key = AuthStep.ADDRESS
    listen = "yes_no"

    def question(self, ctx: CustomerContext) -> str:
        address = ctx.verification.address_on_file
        return f"Is {address.spoken() if address else 'the address on file'} still your address?{confirm_hint(ctx)}"

    async def answer(self, turn: Turn) -> CodeReply | None:
        answer = classify_yes_no(turn.text)
        if answer is YesNo.YES:
            return disclosure_reply(turn.ctx, "Thank you.")
        if answer is YesNo.NO:
            return go(turn, AuthStep.ADDRESS_NEW, "No problem.")
        return reask(turn, f"Sorry, please say yes or no. {self.question(turn.ctx)}")

    def keypad_words(self, entry: KeypadEntry) -> str | None:
        return keyed_yes_no(entry)

    def keypad_retry(self, ctx: CustomerContext) -> str:
        return f"Sorry, I didn't get that. {self.question(ctx)}"


class AddressNewStep(Step):
    key = AuthStep.ADDRESS_NEW
    slot = "address"

    def question(self, ctx: CustomerContext) -> str:
        return "What's your current address: the street, city, state and ZIP code?"

    async def answer(self, turn: Turn) -> CodeReply | None:
        return None  # the model extracts the fields into save_address; code checks and confirms them

    def model_note(self, ctx: CustomerContext) -> str:
        return (
            "The caller is giving a new address. When they have said the street, city, state and ZIP code, call "
            "save_address with exactly their words for each field; if something is missing, ask only for that. "
            f"If they have not started, ask: '{self.question(ctx)}'"
        )


def disclosure_reply(ctx: CustomerContext, lead: str) -> CodeReply:
    """Play the mandatory disclosure verbatim (not interruptible) and record proof of delivery.

    The text (``agents/prompts/disclosure.md``) ends with the offer question; the step becomes
    :attr:`AuthStep.OFFER_RESPONSE` and the caller's next turn is classified by code.
    """
    record = ctx.disclosure
    record.started_at, record.ended_at, record.interrupted = ctx.services.clock.now(), None, False
    ctx.advance(AuthStep.OFFER_RESPONSE)
    full = prompt_text("disclosure")

    async def _played(handle: SpeechHandle) -> None:
        record.interrupted = handle.interrupted
        record.played_pct = 100 if not handle.interrupted else 0
        record.ended_at = ctx.services.clock.now()
        logger.info("disclosure %s played (%d%%)", record.offer_id, record.played_pct)

    return CodeReply([Speech(lead), Speech(full, interruptible=False, on_done=_played)])


class OfferStep(Step):
    key = AuthStep.OFFER_RESPONSE
    slot = "remind"

    def question(self, ctx: CustomerContext) -> str:
        return "Would you like to accept the offer, decline it, or have us remind you later?"

    async def answer(self, turn: Turn) -> CodeReply | None:
        ctx = turn.ctx
        if not ctx.disclosure.played:
            return CodeReply.say(f"Sorry, I need to finish the message first. {self.question(ctx)}")
        response = classify_offer(turn.text)
        if response is None:
            if "?" in turn.text or turn.text.casefold().startswith(("what", "how", "why", "is ", "does", "can")):
                return None  # a question about the offer: the model answers from the disclosure
            return CodeReply.say(f"Sorry, I didn't catch that. {self.question(ctx)}")
        customer = ctx.require_identity()
        record = ctx.disclosure
        try:
            await ctx.services.customers.record_offer_response(
                customer.id,
                offer_id=record.offer_id,
                response=response,
                disclosure_completed=record.completed,
                disclosure_played_pct=record.played_pct,
            )
        except ServiceError as exc:
            logger.warning("offer answer not recorded: %s", redact(str(exc)))
            return CodeReply.say(f"Sorry, I couldn't save that just now. {self.question(ctx)}")
        record.response, record.responded_at = response, ctx.services.clock.now()
        ctx.advance(AuthStep.DONE)
        ctx.note_action(f"Loyalty offer {record.offer_id}: {response}")
        return route_or_ask(turn, f"Thank you, I've noted that {_OFFER_WORDS[response]}.")

    def model_note(self, ctx: CustomerContext) -> str:
        return (
            "The caller heard the loyalty offer disclosure. Answer their question in one or two short sentences "
            f"using only the disclosure's facts, then ask exactly: '{self.question(ctx)}'"
        )


def route_or_ask(turn: Turn, lead: str) -> CodeReply:
    """Transfer to the agent for the caller's request when it is unambiguous, else ask how to help."""
    from ..coordinator import TransferRefusedError, coordinator

    ctx = turn.ctx
    if ctx.account_locked:
        # Locked by the security desk (this call or an earlier one): no account tool will serve the caller.
        ctx.resume = None
        try:
            nxt = coordinator().transfer(ctx, turn.agent, "human", "The account is locked for security")
        except TransferRefusedError as exc:
            logger.info("transfer of a locked account to a person refused: %s", exc)
        else:
            return CodeReply(
                [
                    Speech(
                        f"{lead} Your account is locked for security, so I can't make account changes on this call. "
                        f"I'll connect you with {colleague(ctx)}, who can help you get it unlocked."
                    )
                ],
                handoff=nxt,
            )
    if ctx.resume is not None:
        # Verification on demand: back to the agent that sent the caller here, request intact.
        resume = ctx.resume
        try:
            nxt = coordinator().transfer(
                ctx, turn.agent, resume.agent, f"Verified; continue the caller's request: {resume.request}"
            )
        except TransferRefusedError as exc:
            logger.info("return to %s refused: %s", resume.agent, exc)
            ctx.resume = None
        else:
            return CodeReply([Speech(f"{lead} Now, back to your request.")], handoff=nxt)
    target = route_for_intent(ctx.intent or "") if ctx.intent else None
    if target is not None:
        try:
            nxt = coordinator().transfer(ctx, turn.agent, target, f"Caller's request: {ctx.intent}")
        except TransferRefusedError as exc:
            logger.info("code routing to %s refused: %s", target, exc)
        else:
            who = "a colleague" if target == "human" else f"our {target.replace('_', ' ')} team"
            return CodeReply([Speech(f"{lead} I'll connect you with {who} now.")], handoff=nxt)
    return CodeReply.say(f"{lead} {STEPS[AuthStep.DONE].question(ctx)}")


class DoneStep(Step):
    key = AuthStep.DONE

    def question(self, ctx: CustomerContext) -> str:
        return "How can I help you today?"

    async def answer(self, turn: Turn) -> CodeReply | None:
        if route_for_intent(turn.text) is None:
            return None
        turn.ctx.intent = redact(turn.text)[:200]
        return route_or_ask(turn, "Sure.")

    def model_note(self, ctx: CustomerContext) -> str:
        return (
            "The caller is verified. Find out what they need and call transfer_to_agent with the right agent; "
            "do not ask for identity details again."
        )


LOCKED_OUT_DECLINED = (
    "Okay, I won't transfer you. I can't open your account on this call, but you're welcome to call back "
    "once you have your details. Is there anything else I can help you with?"
)
"""Code's answer when a locked-out caller declines the transfer (a clear no; anything else goes to the model)."""


class LockedOutStep(Step):
    key = AuthStep.LOCKED_OUT

    def question(self, ctx: CustomerContext) -> str:
        return (
            f"I can't verify your identity on this call, but I can transfer you to {colleague(ctx)}. "
            "Would you like that?"
        )

    async def answer(self, turn: Turn) -> CodeReply | None:
        from ..coordinator import coordinator

        answer = classify_yes_no(turn.text)
        if answer is YesNo.YES:
            nxt = coordinator().transfer(turn.ctx, turn.agent, "human", "Identity could not be verified")
            return CodeReply([Speech(f"Okay, I'm transferring you to {colleague(turn.ctx)} now.")], handoff=nxt)
        if answer is YesNo.NO:
            return CodeReply([Speech(LOCKED_OUT_DECLINED)])
        return None

    def model_note(self, ctx: CustomerContext) -> str:
        return (
            "The caller could not be verified and is locked out: share nothing about any account. Offer to "
            "transfer them to the human agent (transfer_to_agent with target human) and do so if they agree."
        )


class DisclosureStep(Step):
    """Transient: the disclosure is queued by code; an answer before it finishes is re-asked."""

    key = AuthStep.DISCLOSURE

    def question(self, ctx: CustomerContext) -> str:
        return OfferStep().question(ctx)

    async def answer(self, turn: Turn) -> CodeReply | None:
        return disclosure_reply(turn.ctx, "Sorry, I need to read you this first.")


STEPS: dict[AuthStep, Step] = {
    step.key: step
    for step in (
        FirstNameStep(),
        PhoneStep(),
        PhoneConfirmStep(),
        DateOfBirthStep(),
        LastFourStep(),
        LastFourKindStep(),
        AddressStep(),
        AddressNewStep(),
        DisclosureStep(),
        OfferStep(),
        DoneStep(),
        LockedOutStep(),
    )
}
"""Every verification step by its key: the whole state machine in one table. :mod:`agents.steps.resume` adds
its own steps when imported (the authentication agent imports it, and only resume code moves a call to a
resume step), so this module does not import it: no import cycle."""


async def verification_turn(ctx: CustomerContext, agent: MarketplaceAgent, text: str) -> CodeReply | None:
    """Run the current step on the caller's turn; keep the caller's request as the call's intent.

    Args:
        ctx: The call's userdata.
        agent: The authentication agent.
        text: The caller's final transcript.

    Returns:
        Code's reply, or ``None`` when the LLM should reply (see :meth:`Step.model_note`).
    """
    if ctx.intent is None and ctx.verification.step is not AuthStep.DONE and looks_like_request(text):
        ctx.intent = redact(" ".join(text.split()))[:200]
        if (browse := _browse_without_verification(ctx, agent, text)) is not None:
            return browse
    step = STEPS[ctx.verification.step]
    return await step.answer(Turn(ctx, agent, text))


BROWSE_STEPS = (AuthStep.FIRST_NAME, AuthStep.PHONE)
"""Steps at which a caller who only wants to browse is sent on without verifying (nothing captured yet)."""


def _browse_without_verification(ctx: CustomerContext, agent: MarketplaceAgent, text: str) -> CodeReply | None:
    """Browsing needs no verification: a request for an open agent (sales, a catalogue desk, promotions,
    sellers) made before identity capture goes straight there; verification happens on demand later."""
    from ..coordinator import TransferRefusedError, coordinator

    target = route_for_request(text)
    if ctx.verification.step not in BROWSE_STEPS or ctx.resume is not None or target is None:
        return None
    registry = coordinator().registry
    if target in ("human", agent.name) or registry[target].requires_verified_customer:
        return None
    try:
        nxt = coordinator().transfer(ctx, agent, target, f"Caller's request (browsing, not verified): {ctx.intent}")
    except TransferRefusedError as exc:
        logger.info("browse routing to %s refused: %s", target, exc)
        return None
    team = target.replace("_", " ")  # "our seller management team", as route_or_ask says it
    return CodeReply(
        [Speech(f"You don't need to verify your identity to browse. I'll connect you with our {team} team now.")],
        handoff=nxt,
    )


# --- keypad ---

DOB_KEYPAD = (
    "You can also key it in: two digits for the month, two for the day and four for the year, then the pound key."
)
"""Offered with the date-of-birth question on phone calls once a spoken try failed (:func:`offer_keypad`)."""
LAST_FOUR_KEYPAD = (
    "You can also key them in: the four digits, then 1 if they're from your Social Security number or 2 if "
    "they're from your card, then the pound key."
)
"""Offered with the last-four question on phone calls once a spoken try failed."""
KIND_KEYPAD = "Press 1 for Social Security, or 2 for card."
"""Said with "which one?" on phone calls."""
CALLER_ID_KEYPAD = "Press 1 for yes, or 2 for no."
"""Said with the caller-ID question on phone calls."""
KEYPAD_STEPS = frozenset({AuthStep.DATE_OF_BIRTH, AuthStep.LAST_FOUR, AuthStep.LAST_FOUR_KIND})
"""The steps whose values can be keyed in (the others take 1/2 for a read-back, or no keys)."""


def on_phone(ctx: CustomerContext) -> bool:
    """Whether the caller is on the phone (the keypad exists only there)."""
    return ctx.channel == "phone"


def caller_id(ctx: CustomerContext) -> str | None:
    """The number the caller is calling from (E.164, from the SIP trunk), when the phone step may offer it.

    Only on phone calls, for a US number :func:`call.parse.parse_phone` accepts, and until the caller
    said it is not the number on the account. The caller confirms it; the identity check still needs
    the name, date of birth and last four to match one record, as for a spoken number.
    """
    if not on_phone(ctx) or ctx.caller_number is None or ctx.caller_id_declined:
        return None
    return parse_phone(ctx.caller_number)


def offer_keypad(ctx: CustomerContext) -> None:
    """A spoken try at the date of birth or the last four failed: offer the keypad from now on (phone calls)."""
    if on_phone(ctx):
        ctx.keypad_offered = True


def keypad_offer(ctx: CustomerContext, offer: str) -> str:
    """``" " + offer`` once the keypad has been offered on a phone call, else ``""``."""
    return f" {offer}" if on_phone(ctx) and ctx.keypad_offered else ""


def with_keypad(ctx: CustomerContext, line: str) -> str:
    """A re-ask of the date of birth or the last four after a failed try: ``line`` plus the keypad offer."""
    offer_keypad(ctx)
    offer = DOB_KEYPAD if ctx.verification.step is AuthStep.DATE_OF_BIRTH else LAST_FOUR_KEYPAD
    return f"{line}{keypad_offer(ctx, offer)}"


def confirm_hint(ctx: CustomerContext) -> str:
    """``" Press 1 to confirm, or 2 to change."`` after a read-back on phone calls, else ``""``."""
    return f" {CONFIRM_HINT}" if on_phone(ctx) else ""


async def keypad_turn(ctx: CustomerContext, agent: MarketplaceAgent, entry: KeypadEntry) -> CodeReply | None:
    """Run the current step on a keypad entry (phone calls): answered like speech, or a polite retry line.

    Args:
        ctx: The call's userdata.
        agent: The authentication agent.
        entry: The caller's keys (never stored: the step reads them and drops them).

    Returns:
        Code's reply; ``None`` when no step of this module is due (the agent's polite line follows).
    """
    step = STEPS.get(ctx.verification.step)
    if step is None:
        return None
    if step.key in KEYPAD_STEPS:
        offer_keypad(ctx)  # the caller uses the keypad: the next digit question says how to key it
    return await step.keypad(Turn(ctx, agent, KEYPAD_MESSAGE), entry)

