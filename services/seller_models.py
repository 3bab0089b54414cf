"""Tables of the seller desk: disputes with a seller, messages relayed to sellers, payouts to stores."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class SellerIssue(Base):
    """A buyer's dispute with a seller."""

    __tablename__ = "seller_issues"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``SIS-610001`` (:data:`services.ids.SELLER_ISSUE_ID`)."""
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SellerMessage(Base):
    """A buyer's message relayed to a seller (logged; the seller answers by email)."""

    __tablename__ = "seller_messages"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``MSG-620001`` (:data:`services.ids.SELLER_MESSAGE_ID`)."""
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="relayed")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Payout(Base):
    """A payout of a store's sales to its owner."""

    __tablename__ = "payouts"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``PAY-630001`` (:data:`services.ids.PAYOUT_ID`)."""
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    """``scheduled``, ``paid`` or ``on_hold``."""
    scheduled_for: Mapped[dt.date] = mapped_column(Date)
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    hold_reason: Mapped[str] = mapped_column(String(160), default="")
