"""Tables of buying: carts, promotions and their redemptions (sales and promotions desks)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class CartItem(Base):
    """One line of a customer's cart (a cart is all of a customer's lines)."""

    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("customer_id", "variant_id", name="uq_cart_line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Promotion(Base):
    """A promotion and its rules (checked in code by :mod:`services.promotions`)."""

    __tablename__ = "promotions"

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    """What the caller says or types, e.g. ``SAVE10``."""
    description: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12))
    """``percent`` (``value`` is a percentage) or ``fixed`` (``value`` is cents off)."""
    value: Mapped[int] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(24), nullable=True)
    """Only items of this category count (``None``: every category)."""
    min_spend_cents: Mapped[int] = mapped_column(Integer, default=0)
    membership_tier: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """Only customers of this loyalty tier (``gold``...); ``None``: everyone."""
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    max_discount_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CartPromotion(Base):
    """The one promotion applied to a customer's cart (one per order)."""

    __tablename__ = "cart_promotions"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    code: Mapped[str] = mapped_column(ForeignKey("promotions.code"))
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PromotionRedemption(Base):
    """A promotion used on a placed order (a customer may use each promotion once)."""

    __tablename__ = "promotion_redemptions"
    __table_args__ = (UniqueConstraint("customer_id", "code", name="uq_redemption"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    code: Mapped[str] = mapped_column(ForeignKey("promotions.code"))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    discount_cents: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
