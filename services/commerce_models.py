"""Tables of buying: carts, promotions and their redemptions (sales and promotions desks).

Services: :mod:`services.cart` (``cart_items``, checkout) and :mod:`services.promotions`
(``promotions``, ``cart_promotions``, ``promotion_redemptions``). Seed rows: :mod:`services.commerce_seed`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class CartItem(Base):
    """One line of a customer's cart (a cart is all of a customer's lines; one line per variant)."""

    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("customer_id", "variant_id", name="uq_cart_line"),
        CheckConstraint("quantity >= 1", name="ck_cart_line_quantity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    """Units, 1 to :data:`services.cart.MAX_LINE_QUANTITY`."""
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Promotion(Base):
    """A promotion and its rules (checked in code by :mod:`services.promotions`).

    Every promotion can be used once per customer (``promotion_redemptions`` enforces it) and one
    promotion applies per order (``cart_promotions`` holds at most one per customer).
    """

    __tablename__ = "promotions"

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    """What the caller says or types, upper-case letters and digits, e.g. ``SAVE10``."""
    id: Mapped[str] = mapped_column(String(12), unique=True)
    """Internal id, ``PRM-2601`` (:data:`services.ids.PROMO_CODE_ID`)."""
    description: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12))
    """``percent`` (``value`` is a whole percentage) or ``fixed`` (``value`` is cents off)."""
    value: Mapped[int] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(24), nullable=True)
    """Only items of this category count (``None``: every category)."""
    min_spend_cents: Mapped[int] = mapped_column(Integer, default=0)
    """Least subtotal of the items that count, before the discount."""
    membership_tier: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """Only customers of this loyalty tier (``gold``...); ``None``: everyone."""
    starts_on: Mapped[dt.date] = mapped_column(Date)
    """First day the code works (inclusive)."""
    ends_on: Mapped[dt.date] = mapped_column(Date)
    """Last day the code works (inclusive)."""
    max_discount_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Cap on the discount of one order (``None``: no cap)."""


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
