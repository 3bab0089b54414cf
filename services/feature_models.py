"""Tables of the advanced features desk: wishlists, price-drop alerts, subscribe-and-save and bundles.

The rules over these rows (limits, the discount policy, what is subscribable) are in
:mod:`services.advanced_features`; the seeded rows in :mod:`services.feature_seed`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class WishlistItem(Base):
    """A product the customer saved for later (one row per customer and product)."""

    __tablename__ = "wishlist_items"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"), primary_key=True)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PriceAlert(Base):
    """Tell the customer when a product's price falls to ``target_price_cents`` or below.

    At most one active alert per customer and product (enforced by the service in the same
    transaction as the insert; a cancelled alert stays as history with ``active`` false).
    """

    __tablename__ = "price_alerts"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``ALR-710001`` (:data:`services.ids.ALERT_ID`)."""
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    target_price_cents: Mapped[int] = mapped_column(Integer)
    price_when_set_cents: Mapped[int] = mapped_column(Integer)
    """The product's price when the alert was created (always above the target)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Subscription(Base):
    """Subscribe and save: a product (one variant of it) delivered every ``every_weeks`` weeks at a discount."""

    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``SUB-720001`` (:data:`services.ids.SUBSCRIPTION_ID`)."""
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("product_variants.id"), nullable=True)
    """The variant delivered; ``None`` for a product without variants."""
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    every_weeks: Mapped[int] = mapped_column(Integer)
    """2, 4 or 8 (:data:`services.advanced_features.INTERVALS_WEEKS`)."""
    discount_pct: Mapped[int] = mapped_column(Integer)
    """Decided when subscribing (:func:`services.advanced_features.subscription_discount`) and kept."""
    next_delivery: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="active")
    """``active``, ``paused`` or ``cancelled``."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Bundle(Base):
    """Products sold together at a discount (the bundle price is computed from the products' current prices)."""

    __tablename__ = "bundles"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``BND-3001`` (:data:`services.ids.BUNDLE_ID`)."""
    name: Mapped[str] = mapped_column(String(80))
    skus: Mapped[list[Any]] = mapped_column(JSON)
    """The SKUs in the bundle (two to four), in the order they are presented."""
    discount_pct: Mapped[int] = mapped_column(Integer)
