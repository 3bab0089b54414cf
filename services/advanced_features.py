"""Wishlists, price-drop alerts, subscribe-and-save subscriptions and bundles; and the facts the
supervisor may be given about the verified caller.

Every query is scoped by ``customer_id`` (from the verified caller's context, never from a model):
another customer's alert or subscription is "not found", exactly like a nonexistent one.

**Prices.** A product's *current price* is the price of its main variant (the first one, as the
catalogue desks quote it: :class:`services.views.ProductView`), or ``products.price_cents`` for a product
without variants; it is *in stock* when any variant (or the product itself, without variants) has stock.
Alerts, wishlists and bundles use it; a subscription uses its own variant's price.

**Wishlist.** One row per product, at most :data:`MAX_WISHLIST_ITEMS` products.

**Price-drop alerts.** The target is a price strictly below the current price (a target at or above
it would fire at once), at least one cent, at most :data:`MAX_ALERT_PRICE_CENTS`; one active alert per
product; at most :data:`MAX_ACTIVE_ALERTS` active alerts per customer. An alert is *triggered* while
the product's current price is at or below its target (:meth:`AdvancedFeaturesService.check_price_drops`).

**Subscribe and save** (the marketplace's policy for this desk):

* subscribable products are consumables: a product whose ``kind`` is in :data:`SUBSCRIBABLE_KINDS`
  (coffee, tea, filters, soap, detergent, paper goods, candles...), or whose ``attributes`` carry
  ``"subscribable": true`` (a seller may opt a product in);
* deliveries every 2, 4 or 8 weeks (:data:`INTERVALS_WEEKS`), 1 to :data:`MAX_QUANTITY` units each;
  the first delivery :data:`FIRST_DELIVERY_DAYS` days after subscribing (standard handling);
* discount: :data:`STANDARD_DISCOUNT_PCT` % (5 %); :data:`LOYAL_DISCOUNT_PCT` % (10 %) when the
  customer's loyalty tier is gold (or higher) or when the new subscription makes
  :data:`LOYAL_MIN_ACTIVE` (5) or more active subscriptions. The rate is decided when subscribing and
  kept for the life of the subscription; it applies to the product's current price at each delivery;
* one subscription per product (variant) while it is active or paused; at most
  :data:`MAX_SUBSCRIPTIONS` active or paused subscriptions per customer;
* pause (active → paused), resume (paused → active; the next delivery is the later of the planned
  date and :data:`FIRST_DELIVERY_DAYS` days from today), cancel (active or paused → cancelled, final).
  An active subscription's next delivery rolls forward by its interval once the planned date has passed.

**Bundles.** Two to four products sold together at the bundle's discount off the sum of their current
prices (rounded half up to the cent, :func:`services.views.percent_off`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from .clock import Clock
from .db import ID_CONFLICT_RETRIES, Database
from .errors import ErrorCode, InvalidInputError, InvalidStateError, NotFoundError, checked_text
from .feature_models import Bundle, PriceAlert, Subscription, WishlistItem
from .ids import ALERT_ID, SUBSCRIPTION_ID
from .models import Customer, Order, OrderItem, Product, ProductVariant, ReturnPolicy, ReturnRequest
from .orders import order_view
from .views import (
    BundleItemView,
    BundleView,
    CaseFactsView,
    PriceAlertView,
    ReturnPolicyView,
    ReturnView,
    SubscriptionQuoteView,
    SubscriptionView,
    WishlistEntryView,
)

SubscriptionAction = Literal["pause", "resume", "cancel"]

SUBSCRIBABLE_KINDS: frozenset[str] = frozenset(
    {
        "coffee",
        "coffee beans",
        "ground coffee",
        "coffee pods",
        "tea",
        "loose leaf tea",
        "coffee filters",
        "water filter",
        "water filters",
        "dish soap",
        "hand soap",
        "laundry detergent",
        "dishwasher tablets",
        "paper towels",
        "toilet paper",
        "trash bags",
        "candles",
        "candle",
        "batteries",
        "vitamins",
        "pet food",
        "printer paper",
        "sponges",
        "cleaning spray",
    }
)
"""Product kinds (``products.kind``) that are consumables, hence subscribable. A product outside these
kinds is subscribable when its ``attributes`` hold ``"subscribable": true``."""
SUBSCRIBABLE_ATTRIBUTE = "subscribable"
INTERVALS_WEEKS: tuple[int, ...] = (2, 4, 8)
"""Delivery intervals offered, in weeks."""
STANDARD_DISCOUNT_PCT = 5
LOYAL_DISCOUNT_PCT = 10
LOYAL_MIN_ACTIVE = 5
"""Active subscriptions (the new one included) from which the loyal rate applies."""
LOYAL_TIERS: frozenset[str] = frozenset({"gold", "platinum"})
"""Loyalty tiers (``customers.loyalty_tier``) that get the loyal rate on every subscription."""
FIRST_DELIVERY_DAYS = 3
"""Days from subscribing (or resuming) to the first delivery: standard handling and shipping."""
MAX_QUANTITY = 6
"""Units per delivery."""
MAX_SUBSCRIPTIONS = 20
"""Active or paused subscriptions per customer."""
MAX_ACTIVE_ALERTS = 10
"""Active price-drop alerts per customer."""
MAX_ALERT_PRICE_CENTS = 10_000_000
"""Highest target price accepted ($100,000.00): anything above is not a price a caller means."""
MAX_WISHLIST_ITEMS = 50
MAX_LISTED = 10
"""Most rows a list method returns (a voice answer names at most a few)."""


# --- pricing and policy (pure functions) --------------------------------------------------------------


def current_price_cents(product: Product) -> int:
    """The product's current price: its main (first) variant's price, or its own price without variants.

    ``product.variants`` must be loaded (they are ordered by id).
    """
    return product.variants[0].price_cents if product.variants else product.price_cents


def in_stock(product: Product) -> bool:
    """Any variant (or the product itself, without variants) has stock. ``product.variants`` must be loaded."""
    if product.variants:
        return any(v.stock > 0 for v in product.variants)
    return product.stock > 0


def is_subscribable(product: Product) -> bool:
    """A consumable: its kind is in :data:`SUBSCRIBABLE_KINDS`, or its attributes opt it in."""
    attributes = product.attributes or {}
    return (product.kind or "").casefold() in SUBSCRIBABLE_KINDS or attributes.get(SUBSCRIBABLE_ATTRIBUTE) is True


def subscription_discount(loyalty_tier: str, active_with_new: int) -> tuple[int, str]:
    """The subscribe-and-save rate for a new subscription, and why.

    Args:
        loyalty_tier: The customer's tier (``standard``, ``gold``...).
        active_with_new: The customer's active subscriptions counting the new one.

    Returns:
        ``(percent, reason)``: ``(10, "gold")``, ``(10, "five_or_more")`` or ``(5, "standard")``.
    """
    if loyalty_tier.casefold() in LOYAL_TIERS:
        return LOYAL_DISCOUNT_PCT, "gold"
    if active_with_new >= LOYAL_MIN_ACTIVE:
        return LOYAL_DISCOUNT_PCT, "five_or_more"
    return STANDARD_DISCOUNT_PCT, "standard"


def next_delivery_on(planned: dt.date, every_weeks: int, today: dt.date) -> dt.date:
    """An active subscription's next delivery: ``planned`` rolled forward by the interval to today or later."""
    if planned >= today:
        return planned
    step = 7 * every_weeks
    periods = -(-(today - planned).days // step)
    return planned + dt.timedelta(days=periods * step)


def variant_label(variant: ProductVariant | None) -> str:
    """``"size M, blue"``, ``"paperback"``, ``"2 lb"``; ``""`` for no variant or a variant with no options."""
    if variant is None:
        return ""
    parts = []
    if variant.size:
        parts.append(variant.size if " " in variant.size else f"size {variant.size}")
    parts += [p for p in (variant.colour, variant.format) if p]
    return ", ".join(parts)


def _variant_price(product: Product, variant: ProductVariant | None) -> int:
    return variant.price_cents if variant is not None else current_price_cents(product)


# --- the service -----------------------------------------------------------------------------------------


class AdvancedFeaturesService:
    """Wishlists, alerts, subscriptions and bundles of one customer, and the supervisor's facts.

    Args:
        db: Database.
        clock: Source of "now" (alert and subscription times, delivery dates).
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # ------------------------------------------------------------------ wishlist

    async def wishlist(self, customer_id: str, *, limit: int = MAX_LISTED) -> list[WishlistEntryView]:
        """The caller's wishlist, most recently added first (at most ``limit``), with current prices and stock."""

        async def _list(session: AsyncSession) -> list[WishlistEntryView]:
            rows = await session.execute(
                select(WishlistItem, Product)
                .join(Product, Product.sku == WishlistItem.sku)
                .where(WishlistItem.customer_id == customer_id)
                .options(selectinload(Product.variants))
                .order_by(WishlistItem.added_at.desc(), WishlistItem.sku)
                .limit(limit)
            )
            return [_wish_view(item, product) for item, product in rows]

        return await self._db.run(_list)

    async def check_wishlist_add(self, customer_id: str, sku: str) -> WishlistEntryView:
        """Validate adding ``sku`` to the wishlist without writing (run before the read-back).

        Raises:
            NotFoundError, InvalidStateError: as :meth:`add_to_wishlist`.
        """
        now = self._clock.now()

        async def _check(session: AsyncSession) -> WishlistEntryView:
            product = await _load_product(session, sku)
            await _validate_wishlist_add(session, customer_id, product)
            return _wish_view(WishlistItem(customer_id=customer_id, sku=product.sku, added_at=now), product)

        return await self._db.run(_check)

    async def add_to_wishlist(self, customer_id: str, sku: str) -> WishlistEntryView:
        """Add a product to the caller's wishlist.

        Raises:
            NotFoundError: ``feature_product_unknown``.
            InvalidStateError: ``already_on_wishlist``, ``wishlist_full`` (at most :data:`MAX_WISHLIST_ITEMS`).
        """
        now = self._clock.now()

        async def _add(session: AsyncSession) -> WishlistEntryView:
            product = await _load_product(session, sku)
            await _validate_wishlist_add(session, customer_id, product)
            item = WishlistItem(customer_id=customer_id, sku=product.sku, added_at=now)
            session.add(item)
            return _wish_view(item, product)

        return await self._db.run(_add, write=True, conflict_retries=1)

    async def check_wishlist_remove(self, customer_id: str, sku: str) -> WishlistEntryView:
        """Validate removing ``sku`` from the wishlist without writing.

        Raises:
            NotFoundError: as :meth:`remove_from_wishlist`.
        """

        async def _check(session: AsyncSession) -> WishlistEntryView:
            item, product = await _load_wish(session, customer_id, sku)
            return _wish_view(item, product)

        return await self._db.run(_check)

    async def remove_from_wishlist(self, customer_id: str, sku: str) -> WishlistEntryView:
        """Remove a product from the caller's wishlist; returns what was removed.

        Raises:
            NotFoundError: ``feature_product_unknown``, or ``not_on_wishlist`` (with the wishlist's names).
        """

        async def _remove(session: AsyncSession) -> WishlistEntryView:
            item, product = await _load_wish(session, customer_id, sku)
            view = _wish_view(item, product)
            await session.delete(item)
            return view

        return await self._db.run(_remove, write=True)

    # ------------------------------------------------------------------ price alerts

    async def price_alerts(self, customer_id: str, *, limit: int = MAX_LISTED) -> list[PriceAlertView]:
        """The caller's active alerts, newest first, with each product's current price."""

        async def _list(session: AsyncSession) -> list[PriceAlertView]:
            return [_alert_view(a, p) for a, p in await _active_alerts(session, customer_id, limit=limit)]

        return await self._db.run(_list)

    async def check_price_drops(self, customer_id: str) -> list[PriceAlertView]:
        """The caller's active alerts whose product's current price is at or below the target (read only)."""

        async def _drops(session: AsyncSession) -> list[PriceAlertView]:
            views = [_alert_view(a, p) for a, p in await _active_alerts(session, customer_id, limit=None)]
            return [v for v in views if v.triggered]

        return await self._db.run(_drops)

    async def check_price_alert(self, customer_id: str, sku: str, target_price_cents: int) -> PriceAlertView:
        """Validate a new alert without writing it. The returned view has ``id == ""`` (not created).

        Raises:
            NotFoundError, InvalidInputError, InvalidStateError: as :meth:`create_price_alert`.
        """
        now = self._clock.now()

        async def _check(session: AsyncSession) -> PriceAlertView:
            product = await _load_product(session, sku)
            await _validate_alert(session, customer_id, product, target_price_cents)
            return _alert_view(_new_alert("", customer_id, product, target_price_cents, now), product)

        return await self._db.run(_check)

    async def create_price_alert(self, customer_id: str, sku: str, target_price_cents: int) -> PriceAlertView:
        """Create a price-drop alert (id ``ALR-`` + 6 digits).

        Raises:
            NotFoundError: ``feature_product_unknown``.
            InvalidInputError: ``price_alert_target_invalid`` (not 1 cent to :data:`MAX_ALERT_PRICE_CENTS`),
                ``price_alert_target_not_below`` (at or above the current price).
            InvalidStateError: ``price_alert_exists`` (one per product), ``price_alert_limit``.
        """
        now = self._clock.now()

        async def _create(session: AsyncSession) -> PriceAlertView:
            product = await _load_product(session, sku)
            await _validate_alert(session, customer_id, product, target_price_cents)
            count = await session.scalar(select(func.count()).select_from(PriceAlert)) or 0
            alert = _new_alert(ALERT_ID.format(710001 + count), customer_id, product, target_price_cents, now)
            session.add(alert)
            await session.flush()
            return _alert_view(alert, product)

        return await self._db.run(_create, write=True, conflict_retries=ID_CONFLICT_RETRIES)

    async def check_cancel_price_alert(self, customer_id: str, alert_id: str) -> PriceAlertView:
        """Validate cancelling an alert without writing.

        Raises:
            NotFoundError: as :meth:`cancel_price_alert`.
        """

        async def _check(session: AsyncSession) -> PriceAlertView:
            alert, product = await _load_alert(session, customer_id, alert_id)
            return _alert_view(alert, product)

        return await self._db.run(_check)

    async def cancel_price_alert(self, customer_id: str, alert_id: str) -> PriceAlertView:
        """Cancel one of the caller's active alerts (kept as history, inactive).

        Raises:
            NotFoundError: ``price_alert_not_found`` (no such active alert of this caller).
        """
        now = self._clock.now()

        async def _cancel(session: AsyncSession) -> PriceAlertView:
            alert, product = await _load_alert(session, customer_id, alert_id)
            alert.active, alert.cancelled_at = False, now
            return _alert_view(alert, product)

        return await self._db.run(_cancel, write=True)

    # ------------------------------------------------------------------ subscriptions

    async def subscriptions(
        self, customer_id: str, *, include_cancelled: bool = False, limit: int = MAX_LISTED
    ) -> list[SubscriptionView]:
        """The caller's subscriptions (active and paused; cancelled ones too if asked), oldest first."""
        today = self._clock.today()

        async def _list(session: AsyncSession) -> list[SubscriptionView]:
            return [
                _subscription_view(*row, today)
                for row in await _load_subscriptions(session, customer_id, include_cancelled=include_cancelled)
            ][:limit]

        return await self._db.run(_list)

    async def quote_subscription(
        self, customer_id: str, sku: str, *, variant_id: int | None, every_weeks: int, quantity: int = 1
    ) -> SubscriptionQuoteView:
        """Validate a subscription and price it, without writing (run before the read-back).

        Raises:
            NotFoundError, InvalidInputError, InvalidStateError: as :meth:`subscribe`.
        """
        today = self._clock.today()

        async def _quote(session: AsyncSession) -> SubscriptionQuoteView:
            return await _quote_subscription(session, customer_id, sku, variant_id, every_weeks, quantity, today)

        return await self._db.run(_quote)

    async def subscribe(
        self, customer_id: str, sku: str, *, variant_id: int | None, every_weeks: int, quantity: int = 1
    ) -> SubscriptionView:
        """Start a subscription (id ``SUB-`` + 6 digits) under the subscribe-and-save policy.

        Args:
            customer_id: The verified caller.
            sku: The product.
            variant_id: The variant delivered; ``None`` only for a product with one variant or none.
            every_weeks: 2, 4 or 8.
            quantity: Units per delivery, 1 to :data:`MAX_QUANTITY`.

        Raises:
            NotFoundError: ``feature_product_unknown`` (also for a variant of another product), ``customer_not_found``.
            InvalidInputError: ``subscription_interval_invalid``, ``subscription_quantity_invalid``,
                ``subscription_variant_required``.
            InvalidStateError: ``not_subscribable``, ``subscribe_out_of_stock``, ``subscription_exists``,
                ``subscription_limit``.
        """
        now = self._clock.now()

        async def _subscribe(session: AsyncSession) -> SubscriptionView:
            quote = await _quote_subscription(session, customer_id, sku, variant_id, every_weeks, quantity, now.date())
            count = await session.scalar(select(func.count()).select_from(Subscription)) or 0
            row = Subscription(
                id=SUBSCRIPTION_ID.format(720001 + count),
                customer_id=customer_id,
                sku=quote.sku,
                variant_id=quote.variant_id,
                quantity=quote.quantity,
                every_weeks=quote.every_weeks,
                discount_pct=quote.discount_pct,
                next_delivery=quote.first_delivery,
                status="active",
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            await session.flush()
            return SubscriptionView(
                id=row.id,
                sku=quote.sku,
                product_name=quote.product_name,
                variant=quote.variant,
                quantity=quote.quantity,
                every_weeks=quote.every_weeks,
                discount_pct=quote.discount_pct,
                unit_price_cents=quote.unit_price_cents,
                status="active",
                next_delivery=quote.first_delivery,
            )

        return await self._db.run(_subscribe, write=True, conflict_retries=ID_CONFLICT_RETRIES)

    async def check_subscription_change(
        self, customer_id: str, subscription_id: str, action: SubscriptionAction
    ) -> SubscriptionView:
        """Validate a pause, resume or cancel without writing; returns the subscription as it would become.

        Raises:
            NotFoundError, InvalidStateError, InvalidInputError: as :meth:`change_subscription`.
        """
        today = self._clock.today()

        async def _check(session: AsyncSession) -> SubscriptionView:
            row, product, variant = await _load_subscription(session, customer_id, subscription_id)
            status, planned = _apply_action(row, product, action, today)
            return _subscription_view(row, product, variant, today, status=status, planned=planned)

        return await self._db.run(_check)

    async def change_subscription(
        self, customer_id: str, subscription_id: str, action: SubscriptionAction
    ) -> SubscriptionView:
        """Pause, resume or cancel one of the caller's subscriptions.

        Raises:
            NotFoundError: ``subscription_not_found`` (also another customer's).
            InvalidStateError: ``subscription_state`` (pause needs active, resume needs paused; a cancelled
                subscription cannot change).
            InvalidInputError: ``subscription_state`` for an unknown action.
        """
        now = self._clock.now()

        async def _change(session: AsyncSession) -> SubscriptionView:
            row, product, variant = await _load_subscription(session, customer_id, subscription_id)
            row.status, row.next_delivery = _apply_action(row, product, action, now.date())
            row.updated_at = now
            return _subscription_view(row, product, variant, now.date())

        return await self._db.run(_change, write=True)

    # ------------------------------------------------------------------ bundles

    async def bundles_with(self, sku: str, *, limit: int = 5) -> list[BundleView]:
        """Bundles that contain ``sku``, best saving first (at most ``limit``).

        Raises:
            NotFoundError: ``feature_product_unknown``.
        """

        async def _find(session: AsyncSession) -> list[BundleView]:
            await _load_product(session, sku)
            bundles = [b for b in await session.scalars(select(Bundle).order_by(Bundle.id)) if sku in (b.skus or [])]
            skus = {s for b in bundles for s in b.skus}
            products = {
                p.sku: p
                for p in await session.scalars(
                    select(Product).where(Product.sku.in_(skus)).options(selectinload(Product.variants))
                )
            }
            views = [_bundle_view(b, products) for b in bundles if all(s in products for s in b.skus)]
            views.sort(key=lambda v: (-v.savings_cents, v.id))
            return views[:limit]

        return await self._db.run(_find)

    # ------------------------------------------------------------------ supervisor facts

    async def case_facts(self, customer_id: str, *, max_orders: int = 8) -> CaseFactsView:
        """The facts a supervisor may use to answer the verified caller's question.

        The caller's most recent orders (items, status, dates), their returns, the return policy, and
        their subscriptions. Nothing that identifies the caller (name, phone, address, date of birth,
        card or SSN digits, email) is included.

        Raises:
            NotFoundError: ``customer_not_found``.
        """
        today = self._clock.today()

        async def _facts(session: AsyncSession) -> CaseFactsView:
            customer = await session.get(Customer, customer_id)
            if customer is None:
                raise NotFoundError(ErrorCode.CUSTOMER_NOT_FOUND, customer_id=customer_id)
            orders = await session.scalars(
                select(Order)
                .where(Order.customer_id == customer_id)
                .options(selectinload(Order.items).selectinload(OrderItem.product))
                .order_by(Order.placed_at.desc(), Order.id)
                .limit(max_orders)
            )
            returns = await session.execute(
                select(ReturnRequest, OrderItem, Product)
                .join(Order, Order.id == ReturnRequest.order_id)
                .join(OrderItem, OrderItem.id == ReturnRequest.order_item_id)
                .join(Product, Product.sku == OrderItem.sku)
                .where(Order.customer_id == customer_id)
                .order_by(ReturnRequest.created_at.desc(), ReturnRequest.id)
                .limit(max_orders)
            )
            policies = await session.scalars(select(ReturnPolicy).order_by(ReturnPolicy.category))
            subscriptions = await _load_subscriptions(session, customer_id, include_cancelled=False)
            return CaseFactsView(
                today=today,
                loyalty_tier=customer.loyalty_tier,
                orders=tuple(order_view(o) for o in orders),
                returns=tuple(_return_view(r, item, product) for r, item, product in returns),
                policies=tuple(
                    ReturnPolicyView(
                        p.category, p.window_days, p.returnable, p.defective_window_days, p.restocking_fee_pct, p.note
                    )
                    for p in policies
                ),
                subscriptions=tuple(_subscription_view(*row, today) for row in subscriptions),
            )

        return await self._db.run(_facts)


# --- loading and validation ------------------------------------------------------------------------------


async def _load_product(session: AsyncSession, sku: str) -> Product:
    checked_text(sku, field="product", max_len=None, required=False)
    product = await session.scalar(select(Product).where(Product.sku == sku).options(selectinload(Product.variants)))
    if product is None:
        raise NotFoundError(ErrorCode.FEATURE_PRODUCT_UNKNOWN, sku=sku)
    return product


def _wish_view(item: WishlistItem, product: Product) -> WishlistEntryView:
    return WishlistEntryView(product.sku, product.name, current_price_cents(product), in_stock(product), item.added_at)


async def _validate_wishlist_add(session: AsyncSession, customer_id: str, product: Product) -> None:
    if await session.get(WishlistItem, (customer_id, product.sku)) is not None:
        raise InvalidStateError(ErrorCode.ALREADY_ON_WISHLIST, sku=product.sku, name=product.name)
    size = await session.scalar(
        select(func.count()).select_from(WishlistItem).where(WishlistItem.customer_id == customer_id)
    )
    if (size or 0) >= MAX_WISHLIST_ITEMS:
        raise InvalidStateError(ErrorCode.WISHLIST_FULL, max_items=MAX_WISHLIST_ITEMS)


async def _load_wish(session: AsyncSession, customer_id: str, sku: str) -> tuple[WishlistItem, Product]:
    product = await _load_product(session, sku)
    item = await session.get(WishlistItem, (customer_id, product.sku))
    if item is None:
        names = await session.scalars(
            select(Product.name)
            .join(WishlistItem, WishlistItem.sku == Product.sku)
            .where(WishlistItem.customer_id == customer_id)
            .order_by(WishlistItem.added_at.desc(), Product.sku)
            .limit(5)
        )
        raise NotFoundError(ErrorCode.NOT_ON_WISHLIST, sku=product.sku, name=product.name, wishlist=tuple(names))
    return item, product


def _new_alert(alert_id: str, customer_id: str, product: Product, target: int, now: dt.datetime) -> PriceAlert:
    return PriceAlert(
        id=alert_id,
        customer_id=customer_id,
        sku=product.sku,
        target_price_cents=target,
        price_when_set_cents=current_price_cents(product),
        active=True,
        created_at=now,
    )


def _alert_view(alert: PriceAlert, product: Product) -> PriceAlertView:
    return PriceAlertView(
        id=alert.id,
        sku=product.sku,
        product_name=product.name,
        target_price_cents=alert.target_price_cents,
        current_price_cents=current_price_cents(product),
        price_when_set_cents=alert.price_when_set_cents,
        active=bool(alert.active),
        created_at=alert.created_at,
    )


async def _validate_alert(session: AsyncSession, customer_id: str, product: Product, target: int) -> None:
    if isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= MAX_ALERT_PRICE_CENTS:
        raise InvalidInputError(
            ErrorCode.PRICE_ALERT_TARGET_INVALID, target_price_cents=target, max_price_cents=MAX_ALERT_PRICE_CENTS
        )
    current = current_price_cents(product)
    if target >= current:
        raise InvalidInputError(
            ErrorCode.PRICE_ALERT_TARGET_NOT_BELOW,
            name=product.name,
            target_price_cents=target,
            current_price_cents=current,
        )
    active = list(await session.scalars(_active_alerts_query(customer_id)))
    same = next((a for a in active if a.sku == product.sku), None)
    if same is not None:
        raise InvalidStateError(
            ErrorCode.PRICE_ALERT_EXISTS,
            alert_id=same.id,
            name=product.name,
            target_price_cents=same.target_price_cents,
        )
    if len(active) >= MAX_ACTIVE_ALERTS:
        raise InvalidStateError(ErrorCode.PRICE_ALERT_LIMIT, max_alerts=MAX_ACTIVE_ALERTS)


def _active_alerts_query(customer_id: str) -> Select[PriceAlert]:
    return (
        select(PriceAlert)
        .where(PriceAlert.customer_id == customer_id, PriceAlert.active.is_(True))
        .order_by(PriceAlert.created_at.desc(), PriceAlert.id.desc())
    )


async def _active_alerts(
    session: AsyncSession, customer_id: str, *, limit: int | None
) -> list[tuple[PriceAlert, Product]]:
    query = (
        select(PriceAlert, Product)
        .join(Product, Product.sku == PriceAlert.sku)
        .where(PriceAlert.customer_id == customer_id, PriceAlert.active.is_(True))
        .options(selectinload(Product.variants))
        .order_by(PriceAlert.created_at.desc(), PriceAlert.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [(a, p) for a, p in await session.execute(query)]


async def _load_alert(session: AsyncSession, customer_id: str, alert_id: str) -> tuple[PriceAlert, Product]:
    checked_text(alert_id, field="price alert", max_len=None, required=False)
    row = (
        await session.execute(
            select(PriceAlert, Product)
            .join(Product, Product.sku == PriceAlert.sku)
            .where(PriceAlert.id == alert_id, PriceAlert.customer_id == customer_id, PriceAlert.active.is_(True))
            .options(selectinload(Product.variants))
        )
    ).first()
    if row is None:
        raise NotFoundError(ErrorCode.PRICE_ALERT_NOT_FOUND, alert_id=alert_id)
    return row[0], row[1]


async def _quote_subscription(
    session: AsyncSession,
    customer_id: str,
    sku: str,
    variant_id: int | None,
    every_weeks: int,
    quantity: int,
    today: dt.date,
) -> SubscriptionQuoteView:
    if isinstance(every_weeks, bool) or every_weeks not in INTERVALS_WEEKS:
        raise InvalidInputError(
            ErrorCode.SUBSCRIPTION_INTERVAL_INVALID, every_weeks=every_weeks, allowed=INTERVALS_WEEKS
        )
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInputError(ErrorCode.SUBSCRIPTION_QUANTITY_INVALID, quantity=quantity, max_quantity=MAX_QUANTITY)
    product = await _load_product(session, sku)
    if not is_subscribable(product):
        raise InvalidStateError(
            ErrorCode.NOT_SUBSCRIBABLE, sku=product.sku, name=product.name, kinds=tuple(sorted(SUBSCRIBABLE_KINDS))
        )
    variant = _pick_variant(product, variant_id)
    stock = variant.stock if variant is not None else product.stock
    if stock <= 0:
        raise InvalidStateError(
            ErrorCode.SUBSCRIBE_OUT_OF_STOCK, sku=product.sku, name=product.name, variant=variant_label(variant)
        )
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError(ErrorCode.CUSTOMER_NOT_FOUND, customer_id=customer_id)
    current = [
        s
        for s in await session.scalars(
            select(Subscription).where(
                Subscription.customer_id == customer_id, Subscription.status.in_(("active", "paused"))
            )
        )
    ]
    same = next(
        (s for s in current if s.sku == product.sku and (s.variant_id == (variant.id if variant else None))), None
    )
    if same is not None:
        raise InvalidStateError(
            ErrorCode.SUBSCRIPTION_EXISTS, subscription_id=same.id, name=product.name, status=same.status
        )
    if len(current) >= MAX_SUBSCRIPTIONS:
        raise InvalidStateError(ErrorCode.SUBSCRIPTION_LIMIT, max_subscriptions=MAX_SUBSCRIPTIONS)
    active = sum(1 for s in current if s.status == "active")
    pct, reason = subscription_discount(customer.loyalty_tier, active + 1)
    return SubscriptionQuoteView(
        sku=product.sku,
        product_name=product.name,
        variant_id=variant.id if variant is not None else None,
        variant=variant_label(variant),
        quantity=quantity,
        every_weeks=every_weeks,
        discount_pct=pct,
        discount_reason=reason,
        unit_price_cents=_variant_price(product, variant),
        first_delivery=today + dt.timedelta(days=FIRST_DELIVERY_DAYS),
    )


def _pick_variant(product: Product, variant_id: int | None) -> ProductVariant | None:
    if variant_id is not None:
        if isinstance(variant_id, bool) or not isinstance(variant_id, int):
            raise NotFoundError(ErrorCode.FEATURE_PRODUCT_UNKNOWN, sku=product.sku)
        for variant in product.variants:
            if variant.id == variant_id:
                return variant
        raise NotFoundError(ErrorCode.FEATURE_PRODUCT_UNKNOWN, sku=product.sku)
    if len(product.variants) > 1:
        raise InvalidInputError(
            ErrorCode.SUBSCRIPTION_VARIANT_REQUIRED,
            sku=product.sku,
            name=product.name,
            variants=tuple(variant_label(v) for v in product.variants),
        )
    return product.variants[0] if product.variants else None


SubscriptionRow = tuple[Subscription, Product, ProductVariant | None]


async def _load_subscriptions(
    session: AsyncSession, customer_id: str, *, include_cancelled: bool
) -> Sequence[SubscriptionRow]:
    query = (
        select(Subscription, Product, ProductVariant)
        .join(Product, Product.sku == Subscription.sku)
        .outerjoin(ProductVariant, ProductVariant.id == Subscription.variant_id)
        .where(Subscription.customer_id == customer_id)
        .options(selectinload(Product.variants))
        .order_by(Subscription.created_at, Subscription.id)
    )
    if not include_cancelled:
        query = query.where(Subscription.status != "cancelled")
    return [(s, p, v) for s, p, v in await session.execute(query)]


async def _load_subscription(session: AsyncSession, customer_id: str, subscription_id: str) -> SubscriptionRow:
    checked_text(subscription_id, field="subscription", max_len=None, required=False)
    row = (
        await session.execute(
            select(Subscription, Product, ProductVariant)
            .join(Product, Product.sku == Subscription.sku)
            .outerjoin(ProductVariant, ProductVariant.id == Subscription.variant_id)
            .where(Subscription.id == subscription_id, Subscription.customer_id == customer_id)
            .options(selectinload(Product.variants))
        )
    ).first()
    if row is None:
        raise NotFoundError(ErrorCode.SUBSCRIPTION_NOT_FOUND, subscription_id=subscription_id)
    return row[0], row[1], row[2]


_ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "pause": ("active",),
    "resume": ("paused",),
    "cancel": ("active", "paused"),
}


def _apply_action(row: Subscription, product: Product, action: str, today: dt.date) -> tuple[str, dt.date]:
    """The status and planned next delivery after ``action`` (nothing is changed on ``row``)."""
    if row.status not in _ALLOWED_FROM.get(action, ()):
        error = InvalidStateError if action in _ALLOWED_FROM else InvalidInputError
        raise error(
            ErrorCode.SUBSCRIPTION_STATE, subscription_id=row.id, name=product.name, status=row.status, action=action
        )
    planned = row.next_delivery
    if action == "pause":
        return "paused", next_delivery_on(planned, row.every_weeks, today)
    if action == "resume":
        return "active", max(planned, today + dt.timedelta(days=FIRST_DELIVERY_DAYS))
    return "cancelled", planned


def _subscription_view(
    row: Subscription,
    product: Product,
    variant: ProductVariant | None,
    today: dt.date,
    *,
    status: str | None = None,
    planned: dt.date | None = None,
) -> SubscriptionView:
    status = status or row.status
    planned = planned or row.next_delivery
    return SubscriptionView(
        id=row.id,
        sku=product.sku,
        product_name=product.name,
        variant=variant_label(variant),
        quantity=row.quantity,
        every_weeks=row.every_weeks,
        discount_pct=row.discount_pct,
        unit_price_cents=_variant_price(product, variant),
        status=status,
        next_delivery=next_delivery_on(planned, row.every_weeks, today) if status == "active" else planned,
    )


def _bundle_view(bundle: Bundle, products: dict[str, Product]) -> BundleView:
    items = tuple(
        BundleItemView(s, products[s].name, current_price_cents(products[s]), in_stock(products[s]))
        for s in bundle.skus
    )
    return BundleView(bundle.id, bundle.name, items, bundle.discount_pct)


def _return_view(r: ReturnRequest, item: OrderItem, product: Product) -> ReturnView:
    return ReturnView(
        id=r.id,
        order_id=r.order_id,
        sku=item.sku,
        item_name=product.name,
        status=r.status,
        reason=r.reason,
        condition=r.condition,
        refund_cents=r.refund_cents,
        pickup_date=r.pickup_date,
        pickup_window=r.pickup_window,
        refund_method=r.refund_method,
    )
