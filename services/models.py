"""SQLAlchemy ORM models of the marketplace core: customers, sellers, catalogue, orders, returns, tickets.

Domain tables live beside their services (:mod:`services.commerce_models`,
:mod:`services.account_models`, :mod:`services.seller_models`, :mod:`services.feature_models`);
:mod:`services.schema` imports them all so ``Base.metadata`` is complete.

Secrets (last four digits of SSN and payment card) are never stored in clear: only a salted
SHA-256 digest (see :func:`services.security.digest_secret`). Money is integer cents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    """E.164 phone number, e.g. ``+14155550134``."""
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    ssn_last4_digest: Mapped[str] = mapped_column(String(64))
    card_last4_digest: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(120))
    loyalty_tier: Mapped[str] = mapped_column(String(16), default="standard")
    failed_auth_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    """End of the lockout after failed identity checks (short, automatic)."""
    security_locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    """Set when the account was locked on the caller's request (security desk); cleared only by a person."""
    security_lock_reason: Mapped[str] = mapped_column(String(200), default="")

    address: Mapped[Address | None] = relationship(back_populates="customer", uselist=False)
    orders: Mapped[list[Order]] = relationship(back_populates="customer")


class Address(Base):
    __tablename__ = "addresses"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    line1: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(60))
    region: Mapped[str] = mapped_column(String(32))
    postal_code: Mapped[str] = mapped_column(String(12))
    country: Mapped[str] = mapped_column(String(2), default="US")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    customer: Mapped[Customer] = relationship(back_populates="address")


class Seller(Base):
    """A store selling on the marketplace; some are owned by demo customers (seller management)."""

    __tablename__ = "sellers"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    """``SEL-1001`` (:data:`services.ids.SELLER_ID`)."""
    name: Mapped[str] = mapped_column(String(80))
    rating_tenths: Mapped[int] = mapped_column(Integer, default=0)
    """Average rating out of 5, in tenths (``47`` = 4.7)."""
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    return_window_days: Mapped[int] = mapped_column(Integer, default=30)
    ships_from: Mapped[str] = mapped_column(String(60), default="")
    handling_days: Mapped[int] = mapped_column(Integer, default=2)
    response_hours: Mapped[int] = mapped_column(Integer, default=24)
    contact_email: Mapped[str] = mapped_column(String(120), default="")
    policy_note: Mapped[str] = mapped_column(Text, default="")
    owner_customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), nullable=True, index=True)
    joined_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class Product(Base):
    """A catalogue product. ``stock`` is the sum over its variants; prices of variants may differ."""

    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(24), index=True)
    price_cents: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    brand: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(40), default="")
    """What the product is within its category: ``sofa``, ``charger``, ``rain jacket``, ``novel``."""
    description: Mapped[str] = mapped_column(Text, default="")
    seller_id: Mapped[str | None] = mapped_column(ForeignKey("sellers.id"), nullable=True, index=True)
    rating_tenths: Mapped[int] = mapped_column(Integer, default=0)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Category-specific facts (dimensions in inches, specs, author and series...), see :mod:`services.catalog_seed`."""

    variants: Mapped[list[ProductVariant]] = relationship(back_populates="product", order_by="ProductVariant.id")


class ProductVariant(Base):
    """One buyable variant of a product: a size and colour, a book format, or the only variant."""

    __tablename__ = "product_variants"
    __table_args__ = (UniqueConstraint("sku", "size", "colour", "format", name="uq_variant"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"), index=True)
    size: Mapped[str] = mapped_column(String(12), default="")
    colour: Mapped[str] = mapped_column(String(24), default="")
    format: Mapped[str] = mapped_column(String(16), default="")
    """Books: ``hardcover``, ``paperback``, ``ebook``, ``audiobook``."""
    price_cents: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    """Units available; digital formats carry a large stock."""

    product: Mapped[Product] = relationship(back_populates="variants")


class ReturnPolicy(Base):
    """Per-category return rule (seeded from the marketplace return policy)."""

    __tablename__ = "return_policies"

    category: Mapped[str] = mapped_column(String(24), primary_key=True)
    window_days: Mapped[int] = mapped_column(Integer)
    """Days after delivery during which a return can be opened."""
    returnable: Mapped[bool] = mapped_column(default=True)
    defective_window_days: Mapped[int] = mapped_column(Integer)
    """Longer window for items reported defective."""
    restocking_fee_pct: Mapped[int] = mapped_column(Integer, default=0)
    """Fee in percent of the item price, withheld from refunds of opened (not defective) items."""
    note: Mapped[str] = mapped_column(Text, default="")


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    """One of ``processing``, ``shipped``, ``in_transit``, ``out_for_delivery``, ``delivered``, ``cancelled``."""
    placed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expected_delivery: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    carrier: Mapped[str | None] = mapped_column(String(24), nullable=True)
    tracking_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    delivery_instructions: Mapped[str] = mapped_column(Text, default="")
    payment_method: Mapped[str] = mapped_column(String(32), default="card")
    subtotal_cents: Mapped[int] = mapped_column(Integer, default=0)
    """Totals decided by checkout (:mod:`services.cart`); 0 on seeded orders (their total is the items' sum)."""
    discount_cents: Mapped[int] = mapped_column(Integer, default=0)
    tax_cents: Mapped[int] = mapped_column(Integer, default=0)
    shipping_cents: Mapped[int] = mapped_column(Integer, default=0)
    promo_code: Mapped[str | None] = mapped_column(String(24), nullable=True)

    customer: Mapped[Customer] = relationship(back_populates="orders")
    items: Mapped[list[OrderItem]] = relationship(back_populates="order", order_by="OrderItem.id")
    events: Mapped[list[TrackingEvent]] = relationship(order_by="TrackingEvent.at")


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("product_variants.id"), nullable=True)

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()


class TrackingEvent(Base):
    __tablename__ = "tracking_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    location: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(160))


class DeliveryIssue(Base):
    __tablename__ = "delivery_issues"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ReturnRequest(Base):
    __tablename__ = "returns"
    __table_args__ = (UniqueConstraint("order_item_id", name="uq_return_per_item"),)

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id"))
    reason: Mapped[str] = mapped_column(Text)
    condition: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
    """``initiated`` → ``pickup_scheduled`` → ``refunded`` (or ``received``)."""
    refund_cents: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    pickup_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    pickup_window: Mapped[str | None] = mapped_column(String(16), nullable=True)
    refunded_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    refund_method: Mapped[str | None] = mapped_column(String(24), nullable=True)


class OfferResponse(Base):
    __tablename__ = "offer_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    offer_id: Mapped[str] = mapped_column(String(16))
    response: Mapped[str] = mapped_column(String(16))
    disclosure_completed: Mapped[bool] = mapped_column()
    disclosure_played_pct: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class AuthAttempt(Base):
    """Audit trail of identity checks (no secret values, only the outcome)."""

    __tablename__ = "auth_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    succeeded: Mapped[bool] = mapped_column()
    factor: Mapped[str] = mapped_column(String(8))
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class Ticket(Base):
    """A human follow-up ticket, carrying the transfer summary."""

    __tablename__ = "tickets"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    reason: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default="open")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
