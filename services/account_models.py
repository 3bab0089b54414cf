"""Tables of the caller's account beyond orders: preferences, behaviour in calls, card charges,
security cases and password resets (personalization and security desks).

Services: :mod:`services.personalization` (``preferences``, ``behavior_events``) and
:mod:`services.account_security` (``charges``, ``security_cases``, ``password_resets``; the account
lock itself is ``customers.security_locked_at``). Seed rows: :mod:`services.account_seed`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class Preference(Base):
    """A stated shopping preference, e.g. ``("favourite_category", "books")``, ``("clothing_size", "M")``.

    Keys and their canonical values are decided by :data:`services.personalization.PREFERENCE_KEYS`
    (``budget_max`` is stored as integer cents in text, e.g. ``"15000"``).
    """

    __tablename__ = "preferences"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class BehaviorEvent(Base):
    """Something the caller viewed or asked about during a call (``track_behavior``)."""

    __tablename__ = "behavior_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), nullable=True, index=True)
    call_id: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``viewed``, ``asked``, ``compared`` or ``carted``."""
    sku: Mapped[str | None] = mapped_column(ForeignKey("products.sku"), nullable=True)
    query: Mapped[str] = mapped_column(String(120), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class Charge(Base):
    """A charge on the customer's payment card on file (what ``verify_transaction`` reads)."""

    __tablename__ = "charges"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``CHG-810001`` (:data:`services.ids.CHARGE_ID`)."""
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), nullable=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    merchant: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(80), default="")
    """What was bought, as the statement shows it: ``"Order ORD-100101"``, ``"Electronics"``."""
    location: Mapped[str] = mapped_column(String(80), default="")
    """Where the charge originated: ``"Seattle, WA"``, ``"Lagos, Nigeria"``."""
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="posted")
    """``posted``, ``disputed`` (reported as fraud) or ``refunded``."""
    risk_score: Mapped[int] = mapped_column(Integer, default=0)
    """0–100 from the payment processor; 70 and above is flagged as unusual
    (:data:`services.account_security.UNUSUAL_RISK`)."""


class SecurityCase(Base):
    """A suspicious-activity flag, a fraud report, or an account lock to resolve."""

    __tablename__ = "security_cases"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``SEC-820001`` (:data:`services.ids.SECURITY_CASE_ID`)."""
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    """``suspicious_activity``, ``fraud`` or ``account_lock`` (the security team unlocks it with the customer)."""
    charge_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PasswordReset(Base):
    """A password-reset link sent to the email on file (the address is never read aloud in full).

    Only a SHA-256 digest of the link's token is kept; the token itself goes out in the email.
    """

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    sent_to: Mapped[str] = mapped_column(String(120))
    token_digest: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
