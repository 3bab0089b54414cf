"""Customer identity: verification against stored digests, lockout, address, offer responses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .clock import Clock
from .db import Database
from .errors import ErrorCode, InvalidInputError, LockedOutError, NotFoundError, checked_text
from .models import Address, AuthAttempt, Customer, OfferResponse
from .security import secrets_match
from .views import AddressView, CustomerView

SecretKind = Literal["ssn", "card"]
OfferAnswer = Literal["ACCEPTED", "DECLINED", "REMIND_LATER"]

MAX_FAILED_ATTEMPTS = 3
"""Failed checks on one account before it locks (the authentication policy: three strikes)."""
LOCKOUT = dt.timedelta(minutes=30)
"""How long an account stays locked after ``MAX_FAILED_ATTEMPTS`` failures."""
ADDRESS_LIMITS = {"street": 120, "city": 60, "state": 32}
"""Longest accepted address field, in characters (the column sizes of ``addresses``)."""


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of one identity check.

    Attributes:
        customer: The verified customer, or ``None`` when the check failed.
        address: The address on file of a verified customer.
    """

    customer: CustomerView | None
    address: AddressView | None
    locked: bool = False


class CustomerService:
    """Identity checks and customer profile writes.

    Args:
        db: Database to use.
        clock: Source of "now" for lockouts and audit rows.
        salt: Secret salt of the SSN/card digests.
    """

    def __init__(self, db: Database, clock: Clock, salt: str) -> None:
        self._db = db
        self._clock = clock
        self._salt = salt

    async def verify(
        self, *, first_name: str, phone: str, date_of_birth: dt.date, last4: str, kind: SecretKind
    ) -> VerificationResult:
        """Check the four factors together against one customer record.

        The result never says which factor was wrong (that would help an impostor). A failure on
        a known phone number counts against that account; after ``MAX_FAILED_ATTEMPTS`` the
        account locks for ``LOCKOUT``. Every check is written to ``auth_attempts`` without secrets.

        Args:
            first_name: As the caller said it (case and surrounding spaces ignored).
            phone: E.164 number.
            date_of_birth: Calendar date.
            last4: Exactly four digits of the SSN or card.
            kind: Which secret ``last4`` is.

        Returns:
            A result whose ``customer`` is set on success.

        Raises:
            LockedOutError: ``account_locked`` (with ``locked_until``): the account is locked.
            InvalidInputError: ``not_text`` / ``text_not_encodable``: a factor is not plain text, so it
                cannot even be looked up (nothing is recorded; callers validate the factors first).
        """
        for field, value in (("first name", first_name), ("phone number", phone), ("last four digits", last4)):
            checked_text(value, field=field, max_len=None, required=False)
        now = self._clock.now()
        locked_until: list[dt.datetime] = []

        async def _verify(session: AsyncSession) -> VerificationResult:
            customer = await session.scalar(select(Customer).where(Customer.phone == phone))
            if customer is not None and customer.locked_until and customer.locked_until > now:
                session.add(AuthAttempt(customer_id=customer.id, succeeded=False, factor=kind, at=now))
                locked_until.append(customer.locked_until)
                return VerificationResult(None, None, locked=True)
            ok = customer is not None and self._matches(customer, first_name, date_of_birth, last4, kind)
            session.add(AuthAttempt(customer_id=customer.id if customer else None, succeeded=ok, factor=kind, at=now))
            if customer is None or not ok:
                if customer is not None:
                    customer.failed_auth_attempts += 1
                    if customer.failed_auth_attempts >= MAX_FAILED_ATTEMPTS:
                        customer.locked_until = now + LOCKOUT
                        customer.failed_auth_attempts = 0
                return VerificationResult(None, None)
            customer.failed_auth_attempts = 0
            address = await session.get(Address, customer.id)
            return VerificationResult(_customer_view(customer), _address_view(address) if address else None)

        result = await self._db.run(_verify, write=True)
        if result.locked:
            raise LockedOutError(locked_until=locked_until[-1] if locked_until else None)
        return result

    async def step_up(self, customer_id: str, last4: str) -> bool:
        """Re-check one factor just before a risky action (step-up): the last four of SSN or card.

        The attempt is audited in ``auth_attempts`` (factor ``step_up``, no digits), and a
        failure counts towards the account's lockout like any failed identity check.

        Args:
            customer_id: The verified caller (from ``CustomerContext``, never from the model).
            last4: Four digits as the caller said them.

        Returns:
            Whether ``last4`` matches the SSN or the card on file; always ``False`` while the account is
            locked after failed identity checks (``locked_until`` in the future).

        Raises:
            NotFoundError: ``customer_not_found``.
        """
        now = self._clock.now()

        async def _check(session: AsyncSession) -> bool:
            customer = await session.get(Customer, customer_id)
            if customer is None:
                raise NotFoundError(ErrorCode.CUSTOMER_NOT_FOUND, customer_id=customer_id)
            if customer.locked_until and customer.locked_until > now:
                session.add(AuthAttempt(customer_id=customer.id, succeeded=False, factor="step_up", at=now))
                return False  # locked after failed checks: even the right digits do not pass until it expires
            ok = (
                len(last4) == 4
                and last4.isdigit()
                and any(
                    secrets_match(last4, digest, salt=self._salt, customer_id=customer.id)
                    for digest in (customer.ssn_last4_digest, customer.card_last4_digest)
                )
            )
            session.add(AuthAttempt(customer_id=customer.id, succeeded=ok, factor="step_up", at=now))
            if not ok:
                customer.failed_auth_attempts += 1
                if customer.failed_auth_attempts >= MAX_FAILED_ATTEMPTS:
                    customer.locked_until = now + LOCKOUT
                    customer.failed_auth_attempts = 0
            return ok

        return await self._db.run(_check, write=True)

    def _matches(self, customer: Customer, first_name: str, dob: dt.date, last4: str, kind: SecretKind) -> bool:
        digest = customer.ssn_last4_digest if kind == "ssn" else customer.card_last4_digest
        name_ok = customer.first_name.casefold() == first_name.strip().casefold()
        secret_ok = secrets_match(last4, digest, salt=self._salt, customer_id=customer.id)
        return name_ok and customer.date_of_birth == dob and secret_ok

    async def get_address(self, customer_id: str) -> AddressView | None:
        """The address on file, or ``None``."""

        async def _get(session: AsyncSession) -> AddressView | None:
            address = await session.get(Address, customer_id)
            return _address_view(address) if address else None

        return await self._db.run(_get)

    async def save_address(
        self, customer_id: str, *, line1: str, city: str, region: str, postal_code: str
    ) -> AddressView:
        """Create or replace the customer's address (one transaction).

        Args:
            customer_id: The verified customer.
            line1: Street line, at most 120 characters.
            city: City, at most 60 characters.
            region: State (stored upper-case), at most 32 characters.
            postal_code: US ZIP code, five ASCII digits.

        Raises:
            InvalidInputError: ``field_missing``, ``field_too_long``, ``not_text`` or ``text_not_encodable``
                (``field`` is ``street``, ``city`` or ``state``), or ``bad_zip``. Nothing is written.
            NotFoundError: ``customer_not_found``.
        """
        street, town, state = (
            checked_text(value, field=label, max_len=ADDRESS_LIMITS[label])
            for label, value in (("street", line1), ("city", city), ("state", region))
        )
        zip_code = postal_code.strip() if isinstance(postal_code, str) else ""
        if not (len(zip_code) == 5 and zip_code.isascii() and zip_code.isdigit()):
            raise InvalidInputError(ErrorCode.BAD_ZIP, field="ZIP code")
        now = self._clock.now()

        async def _save(session: AsyncSession) -> AddressView:
            if await session.get(Customer, customer_id) is None:
                raise NotFoundError(ErrorCode.CUSTOMER_NOT_FOUND, customer_id=customer_id)
            address = await session.get(Address, customer_id)
            if address is None:
                address = Address(customer_id=customer_id)
                session.add(address)
            address.line1, address.city = street, town
            address.region, address.postal_code = state.upper(), zip_code
            address.updated_at = now
            return _address_view(address)

        return await self._db.run(_save, write=True)

    async def record_offer_response(
        self,
        customer_id: str,
        *,
        offer_id: str,
        response: OfferAnswer,
        disclosure_completed: bool,
        disclosure_played_pct: int,
    ) -> None:
        """Store the caller's answer to a promotional offer, with proof of how the disclosure played."""
        now = self._clock.now()

        async def _record(session: AsyncSession) -> None:
            session.add(
                OfferResponse(
                    customer_id=customer_id,
                    offer_id=offer_id,
                    response=response,
                    disclosure_completed=disclosure_completed,
                    disclosure_played_pct=disclosure_played_pct,
                    at=now,
                )
            )

        await self._db.run(_record, write=True)


def _customer_view(c: Customer) -> CustomerView:
    return CustomerView(id=c.id, first_name=c.first_name, last_name=c.last_name, loyalty_tier=c.loyalty_tier)


def _address_view(a: Address) -> AddressView:
    return AddressView(line1=a.line1, city=a.city, region=a.region, postal_code=a.postal_code)
