"""``CustomerContext``: the session userdata shared by all fourteen agents of one call.

It is the single source of truth for *who the caller is* and *what they are allowed to do*.
Tools read identity and permissions from here, never from model-supplied arguments. It holds no
secret digits: the last four of SSN/card are checked and dropped inside the authentication tool.
"""

from __future__ import annotations

import datetime as dt
import enum
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from livekit.agents import ToolError

from services import Services
from services.calls import SavedCall
from services.customers import OfferAnswer, SecretKind
from services.views import AddressView, CustomerView

from .confirmation import PendingAction
from .guardrail import GuardrailClassifier
from .phone_line import PhoneLine, TransferTarget
from .supervisor import Supervisor

Channel = Literal["web", "phone", "simulation", "test"]

PRODUCTS_IN_VIEW = 12
"""Products the desk presented most recently, kept to resolve "the cheaper one", "the second one"."""

RECENT_TURNS = 3
"""Caller turns kept for grounding identity values (a phone number may be said over two turns)."""

OFFER_ID = "a-592"
"""The loyalty offer read in the mandatory disclosure (migration spec, retail scenario)."""


class AuthStep(enum.StrEnum):
    """Steps of the identity verification state machine, in order.

    ``FIRST_NAME → PHONE → PHONE_CONFIRM → DATE_OF_BIRTH → LAST_FOUR (→ LAST_FOUR_KIND) →
    ADDRESS (→ ADDRESS_NEW) → DISCLOSURE → OFFER_RESPONSE → DONE``; ``LOCKED_OUT`` is terminal
    for the call. What each step asks, captures and reads back is in :mod:`agents.steps`.
    """

    FIRST_NAME = "first_name"
    PHONE = "phone"
    PHONE_CONFIRM = "phone_confirm"
    DATE_OF_BIRTH = "date_of_birth"
    LAST_FOUR = "last_four"
    LAST_FOUR_KIND = "last_four_kind"
    ADDRESS = "address"
    ADDRESS_NEW = "address_new"
    DISCLOSURE = "disclosure"
    OFFER_RESPONSE = "offer_response"
    DONE = "done"
    LOCKED_OUT = "locked_out"
    # --- resume ---
    RESUME_OFFER = "resume_offer"
    """A dropped call of this caller may be continued: yes → the shortened re-verification, no → ``FIRST_NAME``."""
    RESUME_PHONE = "resume_phone"
    RESUME_PHONE_CONFIRM = "resume_phone_confirm"
    RESUME_FACTOR = "resume_factor"
    """The one factor (last four of the SSN or card) of the shortened re-verification (:mod:`agents.steps.resume`)."""
    # --- end resume ---


@dataclass
class VerificationState:
    """Per-field verification status of the caller.

    Attributes:
        step: The next thing the authentication agent must collect.
        first_name: As given by the caller.
        phone: E.164, as given (and read back) by the caller.
        date_of_birth: As given by the caller.
        secret_kind: Which last-four factor was used (``ssn`` or ``card``); the digits are not kept.
        failed_attempts: Failed identity checks in this call (lockout at the configured maximum).
        customer: Set once the four factors matched one customer record.
        verified_at: UTC time of the successful check.
        address_on_file: The address read back to the caller for confirmation.
    """

    step: AuthStep = AuthStep.FIRST_NAME
    step_misses: int = 0
    """Answers to the current step that code could not use (re-asks)."""
    last_four_pending: str | None = field(default=None, repr=False)
    """Last four digits said without saying which secret; kept in memory for one turn only."""
    first_name: str | None = None
    phone: str | None = None
    date_of_birth: dt.date | None = None
    secret_kind: SecretKind | None = None
    failed_attempts: int = 0
    customer: CustomerView | None = None
    verified_at: dt.datetime | None = None
    address_on_file: AddressView | None = None

    @property
    def verified(self) -> bool:
        """True once identity matched a customer record."""
        return self.customer is not None

    @property
    def locked_out(self) -> bool:
        return self.step is AuthStep.LOCKED_OUT


@dataclass
class DisclosureRecord:
    """Proof of delivery of the mandatory promotional disclosure and the caller's answer.

    Attributes:
        started_at / ended_at: UTC times the verbatim speech started and stopped.
        played_pct: Share of the disclosure audio actually played, 0–100.
        interrupted: The caller barged in before the end.
        response: ``ACCEPTED`` / ``DECLINED`` / ``REMIND_LATER`` once logged.
    """

    offer_id: str = OFFER_ID
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    played_pct: int = 0
    interrupted: bool = False
    response: OfferAnswer | None = None
    responded_at: dt.datetime | None = None

    @property
    def played(self) -> bool:
        return self.ended_at is not None

    @property
    def completed(self) -> bool:
        return self.played and not self.interrupted


@dataclass
class TransferRecord:
    """One handoff between agents.

    Attributes:
        handoff_latency_s: Seconds from the transfer tool call to the next agent's first LLM
            request (measured on every transfer); ``None`` until that request happens.
    """

    from_agent: str
    to_agent: str
    reason: str
    at: dt.datetime
    user_turn: int = 0
    """Caller turns counted when the transfer happened (one transfer per caller turn)."""
    started_monotonic: float = field(default_factory=time.monotonic, repr=False)
    handoff_latency_s: float | None = None


@dataclass
class ResumeRequest:
    """What a caller was doing when an agent sent them to authentication (verification on demand).

    Attributes:
        agent: Registry key of the agent to return to once authentication is complete.
        request: What the caller asked for, in a short redacted sentence (e.g. "add the Alpine
            rain jacket, size M, to the cart").
        tool: The tool that needed a verified caller, and ``arguments`` what it was called with,
            so the agent can do it straight away on return.
    """

    agent: str
    request: str
    tool: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass
class CustomerContext:
    """Session userdata for one call. Create one per call; it survives every handoff.

    Attributes:
        services: The services layer (database access).
        channel: How the caller reached us.
        caller_number: E.164 number from SIP (``sip.phoneNumber``), if a phone call.
        intent: The caller's original reason for calling, in their words (no secrets).
        actions: Speakable log of what was done in this call, e.g. "Opened return RET-500001".
        current_agent: Registry key of the agent speaking now.
        user_turns: Number of caller turns so far (for confirmation gating).
        recent_user_texts: The caller's last few utterances (in memory only), to check that identity
            values passed to tools were really said by the caller.
        max_transfers: Transfer budget of the call.
        max_auth_attempts: Failed identity checks allowed before lockout.
    """

    services: Services
    channel: Channel = "web"
    caller_number: str | None = None
    call_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    verification: VerificationState = field(default_factory=VerificationState)
    disclosure: DisclosureRecord = field(default_factory=DisclosureRecord)
    intent: str | None = None
    actions: list[str] = field(default_factory=list)
    transfers: list[TransferRecord] = field(default_factory=list)
    current_agent: str = "authentication"
    user_turns: int = 0
    code_turns: int = 0
    """Caller turns answered by code alone (no LLM request)."""
    recent_user_texts: deque[str] = field(default_factory=lambda: deque(maxlen=RECENT_TURNS))
    pending: PendingAction | None = None
    notes_for_model: list[str] = field(default_factory=list)
    """System notes for the model's next request (e.g. "the return was not opened"), then cleared."""
    transfer_reply_ids: set[str] = field(default_factory=set)
    """Ids of the replies (speech handles) that already transferred: one transfer per reply."""
    max_transfers: int = 8
    max_auth_attempts: int = 3
    products_in_view: deque[str] = field(default_factory=lambda: deque(maxlen=PRODUCTS_IN_VIEW))
    """SKUs the desk presented in this call, oldest first (see :meth:`show_products`)."""
    resume: ResumeRequest | None = None
    """Set when an agent sent an unverified caller to authentication; consumed on the way back."""
    account_locked: bool = False
    """The account was locked by the security desk (this call or an earlier one): account tools refuse."""
    supervisor: Supervisor | None = None
    """The stronger reasoning model for complex questions (``None``: not configured)."""
    verification_handoff: Callable[[ResumeRequest], Any] | None = field(default=None, repr=False)
    """Installed by the agents layer: builds the transfer to authentication for ``resume`` (returns the
    next agent). Tools call it through :func:`tools.access.verified_or_handoff`."""
    # --- ending ---
    phone_line: PhoneLine | None = field(default=None, repr=False)
    """The call's line (transfer to a person, hang-up), set by the worker; ``None`` offline (tests, simulate)."""
    human_transfer: TransferTarget | None = None
    """Where a person answers (``HUMAN_TRANSFER_NUMBER``); ``None``: the human agent is an AI stand-in (tickets)."""
    handover_in_progress: bool = False
    """A transfer to a person is under way (the caller may be on hold): idle prompts stay silent."""
    # --- guardrail ---
    guardrail_trips: list[str] = field(default_factory=list)
    """Why the output guardrail replaced a line of an agent reply, one short reason per trip, in order
    (e.g. ``"ungrounded amount"``); reasons only, never the text (:mod:`agents.output_guardrail`)."""
    guardrail_classifier: GuardrailClassifier | None = field(default=None, repr=False)
    """The optional model classifier of agent replies (``None``: the rule layer alone decides)."""
    guardrail_cache: dict[str, Any] = field(default_factory=dict, repr=False)
    """The guardrail's figures of texts already read in this call (memory only; dies with the call)."""
    # --- end guardrail ---
    # --- observability ---
    ended_by: str | None = None
    """How the call ended, set by the code that ends it (e.g. ``"goodbye"`` after the agent's goodbye,
    ``"idle"`` for a silent caller, ``"error"`` after an unrecoverable provider error). ``None``: the call
    report derives it from :attr:`close_reason` (see :func:`worker.report.ended_by`)."""
    close_reason: str | None = None
    """LiveKit's ``CloseReason`` value when the session closed (``"participant_disconnected"``, ...)."""
    close_error: str | None = None
    """Type name of the provider error that closed the session (``"LLMError"``, ...), no message."""
    # --- end observability ---
    # --- resume ---
    resumable: SavedCall | None = None
    """A dropped call of this caller that may be continued (set before the session starts, by
    :func:`worker.call_state.find_resumable_call`). Nothing of it applies before the shortened
    re-verification passes (:mod:`agents.steps.resume`); cleared once resumed or declined."""
    resumed_from: str | None = None
    """Id of the dropped call this call took over (after re-verification)."""
    earlier_transfers: int = 0
    """Transfers made in the dropped call(s) this call continues (for the snapshot; not the budget)."""
    # --- end resume ---
    # --- keypad ---
    keypad_offered: bool = False
    """Code has offered the keypad for the date of birth and the last four (phone calls only, after one
    failed spoken try); from then on those questions mention it (:mod:`agents.steps.verification`)."""
    caller_id_declined: bool = False
    """The caller said the number they call from (``caller_number``) is not the one on the account: the
    phone step asks for the number instead of offering it."""
    # --- end keypad ---

    def require_verified(self) -> CustomerView:
        """The caller, once the whole authentication is complete (identity, disclosure, offer answer).

        Account tools serve only such a caller: identity alone is not enough while the mandatory
        disclosure or the offer answer is still due.

        Raises:
            ToolError: authentication is not complete (the model should transfer to authentication).
        """
        customer = self.verification.customer
        if customer is None or self.verification.step is not AuthStep.DONE:
            raise ToolError(
                "The caller has not finished authentication. Do not share account details; transfer to authentication."
            )
        if self.account_locked:
            raise ToolError(
                "This account is locked for security. Account actions are not possible on this call; the security "
                "team or a person can help unlock it."
            )
        return customer

    def verified_customer(self) -> CustomerView | None:
        """The caller if authentication is complete (and the account not locked), else ``None``."""
        customer = self.verification.customer
        if customer is None or self.verification.step is not AuthStep.DONE or self.account_locked:
            return None
        return customer

    def show_products(self, skus: list[str] | tuple[str, ...]) -> None:
        """Remember products the desk just presented, in the order presented (most recent last)."""
        for sku in skus:
            if sku in self.products_in_view:
                self.products_in_view.remove(sku)
            self.products_in_view.append(sku)

    def require_identity(self) -> CustomerView:
        """The caller whose identity matched a record (authentication may still be in progress).

        Raises:
            ToolError: identity is not verified.
        """
        if self.verification.customer is None:
            raise ToolError("The caller's identity is not verified yet.")
        return self.verification.customer

    def advance(self, step: AuthStep) -> None:
        """Move the verification state machine to ``step`` (its answer is due from the next caller turn)."""
        self.verification.step = step
        self.verification.step_misses = 0

    def record_user_turn(self, text: str) -> None:
        """Count a finished caller turn (called for every user message added to the history)."""
        self.user_turns += 1
        self.recent_user_texts.append(text)

    def note_action(self, sentence: str) -> None:
        """Record something done in this call, for transfer summaries and tickets."""
        self.actions.append(sentence)
