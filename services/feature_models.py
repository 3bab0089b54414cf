"""Tables of the advanced features desk: wishlists, price-drop alerts, subscribe-and-save and bundles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class WishlistItem(Base):
    __tablename__ = "wishlist_items"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"), primary_key=True)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PriceAlert(Base):
    """Tell the customer when a product's price falls to ``target_price_cents`` or below."""

    __tablename__ = "price_alerts"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``ALR-710001`` (:data:`services.ids.ALERT_ID`)."""
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    target_price_cents: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Subscription(Base):
    """Subscribe and save: a variant delivered every ``every_days`` days at a discount."""

    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``SUB-720001`` (:data:`services.ids.SUBSCRIPTION_ID`)."""
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    every_days: Mapped[int] = mapped_column(Integer)
    discount_pct: Mapped[int] = mapped_column(Integer)
    next_delivery: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="active")
    """``active``, ``paused`` or ``cancelled``."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Bundle(Base):
    """Products sold together at a discount."""

    __tablename__ = "bundles"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``BND-3001`` (:data:`services.ids.BUNDLE_ID`)."""
    name: Mapped[str] = mapped_column(String(80))
    skus: Mapped[list[Any]] = mapped_column(JSON)
    discount_pct: Mapped[int] = mapped_column(Integer)
