"""Tables of the seller desk: disputes with a seller, messages relayed to sellers, payouts to stores, and
the log of stock changes store owners made through the desk."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class SellerIssue(Base):
    """A buyer's dispute with a seller (one open dispute per buyer, seller and order)."""

    __tablename__ = "seller_issues"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``SIS-610001`` (:data:`services.ids.SELLER_ISSUE_ID`)."""
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(24))
    """``not_as_described``, ``not_received``, ``seller_unresponsive``, ``counterfeit`` or ``other``."""
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    """``open`` or ``resolved``."""
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
    """``relayed`` or ``answered``."""
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


class ListingStockChange(Base):
    """Audit log: a store owner changed the stock of one of their listings through the desk."""

    __tablename__ = "listing_stock_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("product_variants.id"), nullable=True)
    """``None`` for a product without variants (its own stock was changed)."""
    old_stock: Mapped[int] = mapped_column(Integer)
    new_stock: Mapped[int] = mapped_column(Integer)
    changed_by: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    """The verified store owner who asked for the change."""
    at: Mapped[dt.datetime] = mapped_column(DateTime)
