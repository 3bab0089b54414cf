"""The security desk's records: card charges, suspicious-activity and fraud cases, account locks, password resets.

Every query is scoped by ``customer_id`` (the verified caller, from ``CustomerContext``): another
customer's charge is "not found" exactly like one that does not exist.

Rules (constants below):

* a charge is **unusual** when the payment processor's risk score is :data:`UNUSUAL_RISK` or more;
  ``verify_transaction`` reads the last :data:`RECENT_DAYS` days;
* a fraud report disputes the named charges at once (status ``disputed``: the caller does not pay
  them while the case is reviewed) within the card networks' :data:`DISPUTE_WINDOW_DAYS`-day fraud
  dispute window (Visa reason code 10.4 and Mastercard 4837 both allow 120 days); confirmed fraud is
  credited to the card within :data:`FRAUD_CREDIT_BUSINESS_DAYS` business days;
* an account lock (``customers.security_locked_at``) is cleared only by a person: locking opens an
  ``account_lock`` case for the security team and expires every outstanding password-reset link;
* one password-reset link at a time, valid :data:`RESET_TTL`; only a SHA-256 digest of its token is
  stored, and the email address leaves this service masked (``a***@example.com``).

Charges are named by what the caller said ("the 89 dollar one", "the one from Lagos", "the two small
test charges", ``CHG-810008``): :func:`match_charges` resolves those words against the caller's own
charges, and refuses with the candidates when nothing or more than one charge fits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence

from rapidfuzz import fuzz
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .account_models import Charge, PasswordReset, SecurityCase
from .clock import Clock
from .db import ID_CONFLICT_RETRIES, Database
from .errors import ErrorCode, InvalidInputError, InvalidStateError, NotFoundError, checked_text
from .ids import CHARGE_ID, ORDER_ID, SECURITY_CASE_ID
from .models import Customer
from .views import ChargeView, PasswordResetView, SecurityCaseView

UNUSUAL_RISK = 70
"""Processor risk score (0–100) from which a charge is marked unusual."""
RECENT_DAYS = 30
"""``verify_transaction`` reads the charges of the last 30 days."""
DISPUTE_WINDOW_DAYS = 120
"""A charge can be reported as fraud within 120 days (the card networks' fraud dispute window)."""
FRAUD_CREDIT_BUSINESS_DAYS = 10
"""Confirmed fraud is credited back to the card within this many business days (the refund policy)."""
MAX_CHARGES_PER_CASE = 10
"""Charges one case may name."""
SMALL_CHARGE_CENTS = 500
""""Small" or "test" charges: under $5.00 (card-testing charges are typically a dollar or two)."""
RESET_TTL = dt.timedelta(minutes=30)
"""A password-reset link expires 30 minutes after it is sent."""
MAX_DESCRIPTION = 300
"""Longest case description, in characters."""
MAX_LOCK_REASON = 200
"""Longest lock reason (the ``customers.security_lock_reason`` column)."""
MAX_REFERENCE = 200
"""Longest charge reference accepted from the caller's words, in characters."""
FIRST_CASE = 820001
"""Security cases are numbered from ``SEC-820001``."""
WORD_MATCH = 80
"""rapidfuzz ratio (0–100) from which a word of the caller matches a word of a charge (misheard names)."""

_CHARGE_REF = re.compile(r"\bCHG[\s\-#]*(\d{6})\b", re.IGNORECASE | re.ASCII)
_ORDER_REF = re.compile(r"\b(?:ORD[\s\-#]*|order\s+(?:number\s+)?)(\d{6})\b", re.IGNORECASE | re.ASCII)
_MONTHS = "january february march april may june july august september october november december".split()
_DATE = re.compile(
    r"\b(" + "|".join(m[:3] + r"[a-z]*" for m in _MONTHS) + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b", re.IGNORECASE
)
_AMOUNT = re.compile(
    r"(?:\$\s*(?P<a>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<ac>\d{1,2}))?)"
    r"|(?:\b(?P<b>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<bc>\d{1,2}))?\b)",
    re.ASCII,
)
_SPLIT = re.compile(r"\s*(?:,(?!\d{3})|;|\band\b|\bplus\b|&)\s*", re.IGNORECASE)
_PLURAL = re.compile(r"\b(all|both|ones|charges|every|each|two|three|four|five|them|those|these)\b", re.IGNORECASE)
_UNUSUAL = re.compile(r"\b(unusual|suspicious|flagged|risky)\b", re.IGNORECASE)
_SMALL = re.compile(r"\b(small|tiny|test|testing)\b", re.IGNORECASE)
_OVERSEAS = re.compile(r"\b(overseas|abroad|international|foreign)\b", re.IGNORECASE)
_LATEST = re.compile(r"\b(latest|newest|last|most recent|recent)\b", re.IGNORECASE)
_US_LOCATION = re.compile(r",\s*[A-Z]{2}$")
_STOP = frozenset(
    """the a an one ones that this those these them it its charge charges transaction transactions purchase payment
    from at in on of for to with by my me i was were is are which what dollar dollars bucks usd cents cent amount
    card all both every each two three four five small tiny test testing unusual suspicious flagged risky overseas
    abroad international foreign latest newest last most recent about around just only some thing something there
    made place placed""".split()
)


def parse_amount_cents(text: str) -> int | None:
    """The first amount of money in ``text``, in cents: ``"$89.99"`` → 8999, ``"89 dollars"`` → 8900,
    ``"1,249"`` → 124900; ``None`` when there is none."""
    m = _AMOUNT.search(text)
    if m is None:
        return None
    whole = (m.group("a") or m.group("b") or "").replace(",", "")
    cents = m.group("ac") or m.group("bc") or ""
    if len(whole) > 9:
        return None
    return int(whole) * 100 + (int(cents.ljust(2, "0")) if cents else 0)


def masked_email(email: str) -> str:
    """``ava.thompson@example.com`` → ``a***@example.com`` (the domain is kept so the caller knows which inbox)."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def content_words(text: str) -> list[str]:
    """Lower-case words of ``text`` that carry meaning (stop words and filler removed)."""
    return [w for w in re.findall(r"[^\W\d_]+", text.casefold()) if w not in _STOP and len(w) > 1]


def word_score(words: Sequence[str], haystack: str) -> float:
    """Share (0–1) of ``words`` that match a word of ``haystack`` (rapidfuzz ratio ≥ :data:`WORD_MATCH`)."""
    tokens = re.findall(r"[^\W_]+", haystack.casefold())
    if not words or not tokens:
        return 0.0
    hits = sum(1 for w in words if max(fuzz.ratio(w, t) for t in tokens) >= WORD_MATCH)
    return hits / len(words)


def _abroad(location: str) -> bool:
    """Whether a charge's location is outside the US ("Lagos, Nigeria"; not "Seattle, WA" nor "Online")."""
    return bool(location) and location.casefold() != "online" and not _US_LOCATION.search(location)


def _haystack(c: ChargeView) -> str:
    return f"{c.merchant} {c.description} {c.location}"


def _amount_fits(cents: int, said: int, exact: bool) -> bool:
    """``"89"`` fits $88.01–$89.99 (callers round); ``"89.99"`` fits only $89.99."""
    return cents == said if exact else abs(cents - said) < 100


def _brief(charges: Sequence[ChargeView]) -> tuple[tuple[str, int, str, str, dt.date], ...]:
    """Candidates for an error's ``charges`` detail: ``(id, amount_cents, merchant, location, date)``, at most 5."""
    return tuple((c.id, c.amount_cents, c.merchant, c.location, c.at.date()) for c in charges[:5])


def _ranked(charges: Sequence[ChargeView]) -> list[ChargeView]:
    """Unusual charges first, then newest first (what the caller most likely means)."""
    return sorted(charges, key=lambda c: (not c.unusual, -c.at.timestamp(), c.id))


def match_charges(charges: Sequence[ChargeView], reference: str) -> list[ChargeView]:
    """Resolve the caller's words to their own charges.

    ``reference`` may name several charges, separated by "and" or commas. Each part is read as
    charge ids (``CHG-810008``), or as constraints that must all hold: an amount ("89 dollars",
    "$1.00"), a date ("November 16"), an order number ("order 100301"), words matched against
    merchant, description and location (misheard words tolerated), "unusual"/"suspicious",
    "small"/"test" (under $5.00), "overseas" (outside the US), "the latest". A part in the plural
    ("the two small ones", "all the unusual charges") may match several charges; a singular part
    must match exactly one.

    Args:
        charges: The caller's own charges (the only ones that can match).
        reference: What the caller said, at most :data:`MAX_REFERENCE` characters.

    Returns:
        The matched charges, in the order named, without duplicates.

    Raises:
        NotFoundError: ``charge_not_found``: an id that is not one of ``charges``.
        InvalidInputError: ``charge_not_matched`` / ``charge_ambiguous`` (with ``reference`` and the
            candidate ``charges``), ``too_many_charges``; or the reference is refused as text
            (``field`` is ``charges``).
    """
    text = checked_text(reference, field="charges", max_len=MAX_REFERENCE)
    found: list[ChargeView] = []
    for part in (p for p in _SPLIT.split(text) if p.strip()):
        for c in _match_part(charges, part.strip()):
            if c not in found:
                found.append(c)
    if not found:
        raise InvalidInputError(ErrorCode.CHARGE_NOT_MATCHED, reference=text, charges=_brief(_ranked(charges)))
    if len(found) > MAX_CHARGES_PER_CASE:
        raise InvalidInputError(ErrorCode.TOO_MANY_CHARGES, count=len(found), limit=MAX_CHARGES_PER_CASE)
    return found


def _match_part(charges: Sequence[ChargeView], part: str) -> list[ChargeView]:
    by_id = {c.id: c for c in charges}
    ids = [CHARGE_ID.format(int(m.group(1))) for m in _CHARGE_REF.finditer(part)]
    if ids:
        missing = next((i for i in ids if i not in by_id), None)
        if missing is not None:
            raise NotFoundError(ErrorCode.CHARGE_NOT_FOUND, charge_id=missing)
        return [by_id[i] for i in ids]
    plural = _PLURAL.search(part) is not None
    pool = list(charges)
    constrained = False
    rest = part
    order = _ORDER_REF.search(rest)
    if order is not None:
        pool = [c for c in pool if c.order_id == ORDER_ID.format(int(order.group(1)))]
        rest, constrained = rest[: order.start()] + " " + rest[order.end() :], True
    date = _DATE.search(rest)
    if date is not None:
        month = next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(date.group(1)[:3].casefold()))
        day = int(date.group(2))
        pool = [c for c in pool if (c.at.month, c.at.day) == (month, day)]
        rest, constrained = rest[: date.start()] + " " + rest[date.end() :], True
    amount = _AMOUNT.search(rest)
    if amount is not None and parse_amount_cents(amount.group()) is not None:
        said = parse_amount_cents(amount.group()) or 0
        exact = bool(amount.group("ac") or amount.group("bc"))
        exactly = [c for c in pool if c.amount_cents == said]
        pool = exactly or [c for c in pool if _amount_fits(c.amount_cents, said, exact)]
        rest, constrained = rest[: amount.start()] + " " + rest[amount.end() :], True
    if _UNUSUAL.search(rest):
        pool, constrained = [c for c in pool if c.unusual], True
    if _SMALL.search(rest):
        pool, constrained = [c for c in pool if c.amount_cents < SMALL_CHARGE_CENTS], True
    if _OVERSEAS.search(rest):
        pool, constrained = [c for c in pool if _abroad(c.location)], True
    words = content_words(rest)
    if words:
        scored = [(word_score(words, _haystack(c)), c) for c in pool]
        best = max((s for s, _ in scored), default=0.0)
        pool = [c for s, c in scored if s >= 0.5 and s == best]
        constrained = True
    latest = _LATEST.search(rest) is not None and not plural
    if not constrained and not latest:
        raise InvalidInputError(ErrorCode.CHARGE_NOT_MATCHED, reference=part, charges=_brief(_ranked(charges)))
    pool = _ranked(pool)
    if latest and pool:
        pool = [max(pool, key=lambda c: (c.at, c.id))]
    if not pool:
        raise InvalidInputError(ErrorCode.CHARGE_NOT_MATCHED, reference=part, charges=_brief(_ranked(charges)))
    if len(pool) > 1 and not plural:
        raise InvalidInputError(ErrorCode.CHARGE_AMBIGUOUS, reference=part, charges=_brief(pool))
    return pool


class AccountSecurityService:
    """Security actions on the caller's own account.

    Args:
        db: Database.
        clock: Source of "now" (recent charges, reset expiry, lock time).
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # ------------------------------------------------------------------ charges

    async def recent_charges(
        self,
        customer_id: str,
        *,
        days: int = RECENT_DAYS,
        amount_cents: int | None = None,
        exact_amount: bool = False,
        merchant: str | None = None,
    ) -> list[ChargeView]:
        """The caller's charges of the last ``days`` days, unusual first, then newest first.

        Args:
            customer_id: The verified caller.
            days: How far back to read (``RECENT_DAYS`` by default).
            amount_cents: Keep charges of about this amount (within a dollar; exactly with ``exact_amount``).
            merchant: Keep charges whose merchant, description or location matches these words.

        Raises:
            InvalidInputError: ``merchant`` refused as text (``field`` is ``merchant``).
        """
        words = content_words(checked_text(merchant, field="merchant", max_len=80)) if merchant else []
        since = self._clock.now() - dt.timedelta(days=days)

        async def _read(session: AsyncSession) -> list[ChargeView]:
            return await _charges(session, customer_id, since=since)

        found = await self._db.run(_read)
        if amount_cents is not None:
            exactly = [c for c in found if c.amount_cents == amount_cents]
            found = exactly or [c for c in found if _amount_fits(c.amount_cents, amount_cents, exact_amount)]
        if merchant is not None:
            found = [c for c in found if word_score(words, _haystack(c)) >= 0.5] if words else []
        return _ranked(found)

    async def resolve_charges(self, customer_id: str, reference: str) -> list[ChargeView]:
        """The caller's charges named by ``reference`` (see :func:`match_charges`), among all their charges.

        Raises:
            NotFoundError, InvalidInputError: as :func:`match_charges`.
        """
        checked_text(reference, field="charges", max_len=MAX_REFERENCE)

        async def _read(session: AsyncSession) -> list[ChargeView]:
            return await _charges(session, customer_id)

        return match_charges(await self._db.run(_read), reference)

    # ------------------------------------------------------------------ cases

    async def check_suspicious_activity(self, customer_id: str, description: str, charge_ids: Sequence[str]) -> None:
        """Validate a suspicious-activity flag without writing it.

        Raises:
            InvalidInputError, NotFoundError: as :meth:`flag_suspicious_activity`.
        """
        checked_text(description, field="description", max_len=MAX_DESCRIPTION)

        async def _check(session: AsyncSession) -> None:
            await _owned(session, customer_id, charge_ids)

        await self._db.run(_check)

    async def flag_suspicious_activity(
        self, customer_id: str, description: str, charge_ids: Sequence[str] = ()
    ) -> SecurityCaseView:
        """Open a ``suspicious_activity`` case (the charges keep their status; the security team reviews them).

        Args:
            customer_id: The verified caller.
            description: What the caller noticed, at most :data:`MAX_DESCRIPTION` characters.
            charge_ids: The caller's charges concerned (resolved with :meth:`resolve_charges`), may be empty.

        Raises:
            InvalidInputError: the description is refused (``field`` is ``description``), ``too_many_charges``.
            NotFoundError: ``charge_not_found`` (also another customer's charge).
        """
        text = checked_text(description, field="description", max_len=MAX_DESCRIPTION)
        now = self._clock.now()

        async def _open(session: AsyncSession) -> SecurityCaseView:
            charges = await _owned(session, customer_id, charge_ids)
            return await _new_case(session, customer_id, "suspicious_activity", charges, text, now)

        return await self._db.run(_open, write=True, conflict_retries=ID_CONFLICT_RETRIES)

    async def check_fraud_report(self, customer_id: str, charge_ids: Sequence[str], description: str) -> None:
        """Validate a fraud report without writing it.

        Raises:
            InvalidInputError, InvalidStateError, NotFoundError: as :meth:`report_fraud`.
        """
        checked_text(description, field="description", max_len=MAX_DESCRIPTION)
        now = self._clock.now()

        async def _check(session: AsyncSession) -> None:
            _disputable(await _owned(session, customer_id, charge_ids, required=True), now)

        await self._db.run(_check)

    async def report_fraud(self, customer_id: str, charge_ids: Sequence[str], description: str) -> SecurityCaseView:
        """Open a ``fraud`` case and dispute the named charges, in one transaction.

        Rules: at least one charge; each one ``posted`` (not already disputed or refunded) and at most
        :data:`DISPUTE_WINDOW_DAYS` days old.

        Raises:
            InvalidInputError: ``field_missing`` (``field`` is ``charges``) when none is named,
                ``too_many_charges``, or the description is refused.
            InvalidStateError: ``charge_not_disputable`` (with the charge's ``status``).
            NotFoundError: ``charge_not_found``.
        """
        text = checked_text(description, field="description", max_len=MAX_DESCRIPTION)
        now = self._clock.now()

        async def _report(session: AsyncSession) -> SecurityCaseView:
            charges = _disputable(await _owned(session, customer_id, charge_ids, required=True), now)
            for charge in charges:
                charge.status = "disputed"
            return await _new_case(session, customer_id, "fraud", charges, text, now)

        return await self._db.run(_report, write=True, conflict_retries=ID_CONFLICT_RETRIES)

    async def cases(self, customer_id: str) -> list[SecurityCaseView]:
        """The caller's security cases, newest first."""

        async def _read(session: AsyncSession) -> list[SecurityCaseView]:
            rows = await session.scalars(
                select(SecurityCase)
                .where(SecurityCase.customer_id == customer_id)
                .order_by(SecurityCase.created_at.desc(), SecurityCase.id.desc())
            )
            out = []
            for case in rows:
                ids = [str(i) for i in case.charge_ids or []]
                amounts = await session.scalars(
                    select(Charge.amount_cents).where(Charge.id.in_(ids), Charge.customer_id == customer_id)
                )
                disputed = sum(amounts) if case.kind == "fraud" else 0
                out.append(_case_view(case, disputed))
            return out

        return await self._db.run(_read)

    # ------------------------------------------------------------------ lock

    async def is_security_locked(self, customer_id: str) -> bool:
        """Whether the account was locked by the security desk (cleared only by a person).

        Called right after a successful identity check, so a new call of a locked account refuses
        every account tool (``CustomerContext.account_locked``).
        """

        async def _read(session: AsyncSession) -> bool:
            locked = await session.scalar(select(Customer.security_locked_at).where(Customer.id == customer_id))
            return locked is not None

        return await self._db.run(_read)

    async def check_lock(self, customer_id: str, reason: str) -> None:
        """Validate an account lock without writing it.

        Raises:
            InvalidInputError, InvalidStateError, NotFoundError: as :meth:`lock_account`.
        """
        checked_text(reason, field="reason", max_len=MAX_LOCK_REASON)

        async def _check(session: AsyncSession) -> None:
            _unlocked(await _customer(session, customer_id))

        await self._db.run(_check)

    async def lock_account(self, customer_id: str, reason: str) -> dt.datetime:
        """Lock the account (``security_locked_at``, ``security_lock_reason``), open an ``account_lock`` case
        for the security team (who unlock it with the customer) and expire open reset links, in one transaction.

        Returns:
            The lock time.

        Raises:
            InvalidInputError: the reason is refused (``field`` is ``reason``).
            InvalidStateError: ``account_already_locked`` (with ``locked_at``).
            NotFoundError: ``customer_not_found``.
        """
        text = checked_text(reason, field="reason", max_len=MAX_LOCK_REASON)
        now = self._clock.now()

        async def _lock(session: AsyncSession) -> dt.datetime:
            customer = _unlocked(await _customer(session, customer_id))
            customer.security_locked_at, customer.security_lock_reason = now, text
            await _new_case(session, customer_id, "account_lock", [], text, now)
            resets = await session.scalars(
                select(PasswordReset).where(PasswordReset.customer_id == customer_id, PasswordReset.expires_at > now)
            )
            for reset in resets:
                reset.expires_at = now
            return now

        return await self._db.run(_lock, write=True, conflict_retries=ID_CONFLICT_RETRIES)

    # ------------------------------------------------------------------ password reset

    async def check_password_reset(self, customer_id: str) -> str:
        """Validate a password reset without writing it; return the masked address it would go to.

        Raises:
            InvalidStateError, NotFoundError: as :meth:`send_password_reset`.
        """
        now = self._clock.now()

        async def _check(session: AsyncSession) -> str:
            customer = await _customer(session, customer_id)
            await _no_open_reset(session, customer, now)
            return masked_email(customer.email)

        return await self._db.run(_check)

    async def send_password_reset(self, customer_id: str) -> PasswordResetView:
        """Create a reset link to the email on file, valid :data:`RESET_TTL` (one open link at a time).

        The link's token is generated here and only its SHA-256 digest is stored; handing the token
        to the mailer is outside this service.

        Raises:
            InvalidStateError: ``reset_recently_sent`` (with the masked ``sent_to`` and ``expires_at``).
            NotFoundError: ``customer_not_found``.
        """
        now = self._clock.now()

        async def _send(session: AsyncSession) -> PasswordResetView:
            customer = await _customer(session, customer_id)
            await _no_open_reset(session, customer, now)
            token = secrets.token_urlsafe(32)
            session.add(
                PasswordReset(
                    customer_id=customer.id,
                    sent_to=customer.email,
                    token_digest=hashlib.sha256(token.encode()).hexdigest(),
                    created_at=now,
                    expires_at=now + RESET_TTL,
                )
            )
            return PasswordResetView(sent_to=masked_email(customer.email), expires_at=now + RESET_TTL)

        return await self._db.run(_send, write=True)


# --- helpers ------------------------------------------------------------------------------------------


def charge_view(c: Charge) -> ChargeView:
    """Snapshot an ORM charge."""
    return ChargeView(
        id=c.id,
        amount_cents=c.amount_cents,
        merchant=c.merchant,
        description=c.description,
        location=c.location,
        at=c.at,
        status=c.status,
        order_id=c.order_id,
        unusual=c.risk_score >= UNUSUAL_RISK,
    )


def _case_view(case: SecurityCase, disputed_cents: int) -> SecurityCaseView:
    return SecurityCaseView(
        id=case.id,
        kind=case.kind,
        status=case.status,
        charge_ids=tuple(str(i) for i in case.charge_ids or []),
        disputed_cents=disputed_cents,
        created_at=case.created_at,
    )


async def _charges(session: AsyncSession, customer_id: str, *, since: dt.datetime | None = None) -> list[ChargeView]:
    query = select(Charge).where(Charge.customer_id == customer_id)
    if since is not None:
        query = query.where(Charge.at >= since)
    rows = await session.scalars(query.order_by(Charge.at.desc(), Charge.id))
    return [charge_view(c) for c in rows]


async def _owned(
    session: AsyncSession, customer_id: str, charge_ids: Sequence[str], *, required: bool = False
) -> list[Charge]:
    """The caller's charges with these ids, in order (locked for update on PostgreSQL)."""
    ids = list(dict.fromkeys(charge_ids))
    if required and not ids:
        raise InvalidInputError(ErrorCode.FIELD_MISSING, field="charges", max_len=MAX_REFERENCE)
    if len(ids) > MAX_CHARGES_PER_CASE:
        raise InvalidInputError(ErrorCode.TOO_MANY_CHARGES, count=len(ids), limit=MAX_CHARGES_PER_CASE)
    for i in ids:
        checked_text(i, field="charge id", max_len=None, required=False)
    rows = {
        c.id: c
        for c in await session.scalars(
            select(Charge).where(Charge.customer_id == customer_id, Charge.id.in_(ids)).with_for_update()
        )
    }
    missing = next((i for i in ids if i not in rows), None)
    if missing is not None:
        raise NotFoundError(ErrorCode.CHARGE_NOT_FOUND, charge_id=missing)
    return [rows[i] for i in ids]


def _disputable(charges: list[Charge], now: dt.datetime) -> list[Charge]:
    for c in charges:
        if c.status != "posted":
            raise InvalidStateError(
                ErrorCode.CHARGE_NOT_DISPUTABLE, charge_id=c.id, status=c.status, window_days=DISPUTE_WINDOW_DAYS
            )
        if c.at < now - dt.timedelta(days=DISPUTE_WINDOW_DAYS):
            raise InvalidStateError(
                ErrorCode.CHARGE_NOT_DISPUTABLE, charge_id=c.id, status="too_old", window_days=DISPUTE_WINDOW_DAYS
            )
    return charges


async def _new_case(
    session: AsyncSession, customer_id: str, kind: str, charges: list[Charge], text: str, now: dt.datetime
) -> SecurityCaseView:
    count = await session.scalar(select(func.count()).select_from(SecurityCase)) or 0
    case = SecurityCase(
        id=SECURITY_CASE_ID.format(FIRST_CASE + count),
        customer_id=customer_id,
        kind=kind,
        charge_ids=[c.id for c in charges],
        description=text,
        status="open",
        created_at=now,
    )
    session.add(case)
    await session.flush()
    return _case_view(case, sum(c.amount_cents for c in charges) if kind == "fraud" else 0)


async def _customer(session: AsyncSession, customer_id: str) -> Customer:
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError(ErrorCode.CUSTOMER_NOT_FOUND, customer_id=customer_id)
    return customer


def _unlocked(customer: Customer) -> Customer:
    if customer.security_locked_at is not None:
        raise InvalidStateError(ErrorCode.ACCOUNT_ALREADY_LOCKED, locked_at=customer.security_locked_at)
    return customer


async def _no_open_reset(session: AsyncSession, customer: Customer, now: dt.datetime) -> None:
    open_until = await session.scalar(
        select(func.max(PasswordReset.expires_at)).where(
            PasswordReset.customer_id == customer.id, PasswordReset.expires_at > now
        )
    )
    if open_until is not None:
        raise InvalidStateError(
            ErrorCode.RESET_RECENTLY_SENT, sent_to=masked_email(customer.email), expires_at=open_until
        )
