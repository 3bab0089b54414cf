"""Carts and checkout (sales desk): lines per variant, totals, tax and shipping decided here; checkout
places an order that order tracking sees.

**Lines.** One line per product variant; :data:`MIN_LINE_QUANTITY` to :data:`MAX_LINE_QUANTITY` units a
line (adding a variant already in the cart adds to its line), at most :data:`MAX_CART_LINES` lines, and
never more units than the variant has in stock.

**Totals** (:func:`price_cart`), in integer cents:

* subtotal: each line at the variant's current price;
* discount: the promotion on the cart, if its rules pass now (:mod:`services.promotions`);
* tax: the **state base sales-tax rate** of the shipping address (:data:`STATE_TAX_MPCT`) on the
  discounted goods; gift cards are not taxed (stored value, not a sale of goods); shipping is not
  taxed; local (county, city) taxes are not included;
* shipping: :data:`STANDARD_SHIPPING_CENTS`, free for gold members and above
  (:data:`FREE_SHIPPING_TIERS`), for orders of :data:`FREE_SHIPPING_MIN_CENTS` or more after the
  discount, and for carts of digital items only (e-books, audiobooks, gift cards);
* total: subtotal − discount + tax + shipping.

**Checkout** (:meth:`CartService.checkout`) is one transaction. Its first statement writes the caller's
cart rows (a no-op update): on PostgreSQL that row-locks the cart, so a second checkout of the same cart
waits and then finds it empty; on SQLite it takes the database write lock before anything is read. It
then re-checks the account (not locked, an address on file), each line's stock and the promotion, and
the total against the one read back to the caller; decrements variant and product stock with
conditional updates (``stock >= quantity``, variants in id order); creates the order (``ORD-400001``
upward), its items, its first tracking event, the promotion redemption and the card charge
(``CHG-`` after the highest one); and empties the cart. Id clashes with a concurrent checkout are
retried (``conflict_retries``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .account_models import Charge
from .clock import Clock
from .commerce_models import CartItem, CartPromotion, PromotionRedemption
from .db import ID_CONFLICT_RETRIES, Database
from .errors import ErrorCode, InvalidInputError, InvalidStateError, NotFoundError
from .ids import CHARGE_ID, ORDER_ID
from .models import Address, Customer, Order, OrderItem, Product, ProductVariant, TrackingEvent
from .promotions import applied_check, check_code, find_promotion, load_cart_lines, load_customer, refusal
from .views import AddressView, CartLineView, CartView, PlacedOrderView, PromotionCheck

MIN_LINE_QUANTITY = 1
MAX_LINE_QUANTITY = 10
"""Units of one variant per cart line (a retail per-customer limit that keeps phone orders sane)."""
MAX_CART_LINES = 20
"""Different variants one cart holds."""

FREE_SHIPPING_MIN_CENTS = 3500
"""Shipping policy: free for orders of $35.00 or more after the discount."""
STANDARD_SHIPPING_CENTS = 599
"""Shipping policy: $5.99 standard shipping otherwise."""
FREE_SHIPPING_TIERS = frozenset({"gold", "platinum"})
"""Shipping policy: loyalty tiers that always ship free."""
DIGITAL_FORMATS = frozenset({"ebook", "audiobook"})
DIGITAL_CATEGORIES = frozenset({"gift_cards"})
"""Items delivered by email or download: no shipping; gift cards are also not taxed."""
UNTAXED_CATEGORIES = frozenset({"gift_cards"})
DELIVERY_DAYS = 5
"""Expected delivery of a new order: this many days after it is placed (standard shipping)."""
FIRST_ORDER_NUMBER = 400001
"""Orders placed by checkout are numbered ``ORD-400001`` upward (seeded orders are below 400000)."""
LAST_ORDER_NUMBER = 499999
FIRST_CHARGE_NUMBER = 810001
"""The first card charge id when no charge exists yet (``CHG-810001``)."""
MERCHANT = "Marketplace"
"""The merchant name on the caller's card statement."""
WAREHOUSE = "Marketplace warehouse, Reno NV"

STATE_TAX_MPCT: dict[str, int] = {
    "AL": 4000, "AK": 0, "AZ": 5600, "AR": 6500, "CA": 7250, "CO": 2900, "CT": 6350, "DE": 0,
    "DC": 6000, "FL": 6000, "GA": 4000, "HI": 4000, "ID": 6000, "IL": 6250, "IN": 7000, "IA": 6000,
    "KS": 6500, "KY": 6000, "LA": 5000, "ME": 5500, "MD": 6000, "MA": 6250, "MI": 6000, "MN": 6875,
    "MS": 7000, "MO": 4225, "MT": 0, "NE": 5500, "NV": 6850, "NH": 0, "NJ": 6625, "NM": 4875,
    "NY": 4000, "NC": 4750, "ND": 5000, "OH": 5750, "OK": 4500, "OR": 0, "PA": 6000, "RI": 7000,
    "SC": 6000, "SD": 4200, "TN": 7000, "TX": 6250, "UT": 6100, "VT": 6000, "VA": 5300, "WA": 6500,
    "WV": 6000, "WI": 5000, "WY": 4000,
}  # fmt: skip
"""State base sales-tax rates in thousandths of a percent (``7250`` = 7.25%), for the 50 states and DC.

Source: the "state tax rate" column of the Tax Foundation's *State and Local Sales Tax Rates, Midyear
2025* (the rates each state publishes; CA, UT and VA include their statewide uniform local add-on as
the Tax Foundation lists them). Local county and city rates are not included. The demo customers live
in CA (7.25%), IL (6.25%) and WA (6.5%); the filler customers' states are all in the table.
"""
DEFAULT_TAX_MPCT = 6000
"""Rate for an address outside the table (territories, military addresses): 6%, near the median state rate."""

STATE_NAMES: dict[str, str] = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA", "COLORADO": "CO",
    "CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC", "FLORIDA": "FL", "GEORGIA": "GA",
    "HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL", "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS",
    "KENTUCKY": "KY", "LOUISIANA": "LA", "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA",
    "MICHIGAN": "MI", "MINNESOTA": "MN", "MISSISSIPPI": "MS", "MISSOURI": "MO", "MONTANA": "MT",
    "NEBRASKA": "NE", "NEVADA": "NV", "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ", "NEW MEXICO": "NM",
    "NEW YORK": "NY", "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND", "OHIO": "OH", "OKLAHOMA": "OK",
    "OREGON": "OR", "PENNSYLVANIA": "PA", "RHODE ISLAND": "RI", "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD",
    "TENNESSEE": "TN", "TEXAS": "TX", "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA", "WASHINGTON": "WA",
    "WEST VIRGINIA": "WV", "WISCONSIN": "WI", "WYOMING": "WY",
}  # fmt: skip
"""Full state names (an address saved as "Illinois") to their postal abbreviations."""


def tax_rate_for(region: str | None) -> tuple[str, int]:
    """The state and its base sales-tax rate (thousandths of a percent) for an address's region.

    Args:
        region: The address's state, as stored (``"CA"``, ``"Illinois"``); ``None`` without an address.

    Returns:
        ``(state, rate)``: ``("CA", 7250)``; ``(region, DEFAULT_TAX_MPCT)`` outside the table;
        ``("", 0)`` without an address (tax is decided at checkout, which needs one).
    """
    if region is None or not region.strip():
        return "", 0
    key = " ".join(region.upper().replace(".", " ").split())
    state = STATE_NAMES.get(key, key)
    return state, STATE_TAX_MPCT.get(state, DEFAULT_TAX_MPCT)


def _is_digital(line: CartLineView) -> bool:
    return line.format in DIGITAL_FORMATS or line.category in DIGITAL_CATEGORIES


def price_cart(
    lines: Sequence[CartLineView], promotion: PromotionCheck | None, *, tier: str, address: AddressView | None
) -> CartView:
    """Every total of a cart (module docstring: discount, tax, shipping), in cents.

    Args:
        lines: The cart lines at current prices.
        promotion: The promotion on the cart evaluated now, or ``None``.
        tier: The caller's loyalty tier (free shipping for gold and above).
        address: The shipping address (its state decides the tax rate), or ``None``.

    Returns:
        The priced cart. The discount is shared over the taxable and untaxed lines in proportion to
        their value, rounded down on the untaxed side (tax is never computed on less than is due).
    """
    subtotal = sum(line.line_total_cents for line in lines)
    discount = promotion.discount_cents if promotion is not None and promotion.eligible else 0
    if promotion is not None and promotion.eligible and promotion.promotion.category is not None:
        counted = [line for line in lines if line.category == promotion.promotion.category]
    else:
        counted = list(lines)
    counted_total = sum(line.line_total_cents for line in counted)
    untaxed_counted = sum(line.line_total_cents for line in counted if line.category in UNTAXED_CATEGORIES)
    untaxed_discount = discount * untaxed_counted // counted_total if counted_total else 0
    untaxed = sum(line.line_total_cents for line in lines if line.category in UNTAXED_CATEGORIES)
    taxable = max(0, subtotal - untaxed - (discount - untaxed_discount))
    region, rate = tax_rate_for(address.region if address is not None else None)
    tax = (taxable * rate + 50_000) // 100_000
    goods = subtotal - discount
    if not lines:
        shipping, free = 0, ""
    elif tier in FREE_SHIPPING_TIERS:
        shipping, free = 0, f"{tier} member"
    elif all(_is_digital(line) for line in lines):
        shipping, free = 0, "digital items"
    elif goods >= FREE_SHIPPING_MIN_CENTS:
        shipping, free = 0, f"order of ${FREE_SHIPPING_MIN_CENTS // 100} or more"
    else:
        shipping, free = STANDARD_SHIPPING_CENTS, ""
    return CartView(
        lines=tuple(lines),
        subtotal_cents=subtotal,
        promotion=promotion,
        discount_cents=discount,
        tax_region=region,
        tax_rate_mpct=rate,
        tax_cents=tax,
        shipping_cents=shipping,
        free_shipping=free,
        total_cents=goods + tax + shipping,
        address=address,
        loyalty_tier=tier,
    )


class CartService:
    """Each verified customer's cart and checkout.

    Every method takes the customer id from the verified caller's context (never from the model), and
    every query is filtered by it: another customer's cart is unreachable.

    Args:
        db: Database.
        clock: Source of "now" (promotion dates, order time, expected delivery).
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def view(self, customer_id: str) -> CartView:
        """The caller's cart with every total.

        Raises:
            NotFoundError: ``customer_not_found``.
        """
        today = self._clock.today()

        async def _view(session: AsyncSession) -> CartView:
            return await self._priced(session, await load_customer(session, customer_id), today)

        return await self._db.run(_view)

    async def preview_promotion(self, customer_id: str, code: str) -> CartView:
        """The caller's cart priced as if the code replaced its promotion (nothing is written).

        Raises:
            NotFoundError: ``promo_not_found``, ``customer_not_found``.
            InvalidStateError: the promotion's failed rule (``promo_min_spend``, ``promo_expired``...).
            InvalidInputError: the code text is refused (``field`` is ``promotion code``).
        """
        today = self._clock.today()

        async def _preview(session: AsyncSession) -> CartView:
            customer = await load_customer(session, customer_id)
            promotion = await find_promotion(session, code)
            lines = await load_cart_lines(session, customer_id)
            check = await check_code(session, customer, promotion, lines, today)
            if not check.eligible:
                raise refusal(check)
            return await self._priced(session, customer, today, promotion=check)

        return await self._db.run(_preview)

    async def check_add(self, customer_id: str, variant_id: int, quantity: int) -> CartLineView:
        """Validate adding ``quantity`` units of a variant without writing (before asking the caller).

        Returns:
            The line as it would be after the addition (its quantity includes units already in the cart).

        Raises:
            NotFoundError, InvalidInputError, InvalidStateError: as :meth:`add_item`.
        """

        async def _check(session: AsyncSession) -> CartLineView:
            line, _ = await self._validate_add(session, customer_id, variant_id, quantity)
            return line

        return await self._db.run(_check)

    async def add_item(self, customer_id: str, variant_id: int, quantity: int) -> CartView:
        """Add units of a variant to the caller's cart (merged into its line if already there).

        Raises:
            NotFoundError: ``variant_not_in_catalogue``, ``customer_not_found``.
            InvalidInputError: ``cart_quantity_out_of_range`` (fewer than 1 or more than 10 units asked, or
                the line would pass 10).
            InvalidStateError: ``out_of_stock`` (with what is available), ``cart_full``. Nothing is written.
        """
        now = self._clock.now()
        today = now.date()

        async def _add(session: AsyncSession) -> CartView:
            line, item = await self._validate_add(session, customer_id, variant_id, quantity)
            if item is None:
                session.add(
                    CartItem(customer_id=customer_id, variant_id=variant_id, quantity=line.quantity, added_at=now)
                )
            else:
                item.quantity = line.quantity
            await session.flush()
            return await self._priced(session, await load_customer(session, customer_id), today)

        return await self._db.run(_add, write=True, conflict_retries=1)

    async def check_set_quantity(self, customer_id: str, variant_id: int, quantity: int) -> CartLineView:
        """Validate changing a line's quantity (0 removes it) without writing.

        Returns:
            The line as it is now (its current quantity).

        Raises:
            NotFoundError, InvalidInputError, InvalidStateError: as :meth:`set_quantity`.
        """

        async def _check(session: AsyncSession) -> CartLineView:
            line, _ = await self._validate_set(session, customer_id, variant_id, quantity)
            return line

        return await self._db.run(_check)

    async def set_quantity(self, customer_id: str, variant_id: int, quantity: int) -> CartView:
        """Set the quantity of a line of the caller's cart; 0 removes the line.

        Raises:
            NotFoundError: ``cart_item_not_found`` (not in this caller's cart).
            InvalidInputError: ``cart_quantity_out_of_range`` (below 0 or above 10).
            InvalidStateError: ``out_of_stock`` when raising the quantity beyond the stock. Nothing is written.
        """
        today = self._clock.today()

        async def _set(session: AsyncSession) -> CartView:
            _, item = await self._validate_set(session, customer_id, variant_id, quantity)
            if quantity == 0:
                await session.delete(item)
            else:
                item.quantity = quantity
            await session.flush()
            return await self._priced(session, await load_customer(session, customer_id), today)

        return await self._db.run(_set, write=True)

    async def quote_checkout(self, customer_id: str) -> CartView:
        """Validate checkout without writing and return the totals to read back to the caller.

        Raises:
            InvalidStateError, NotFoundError: as :meth:`checkout`.
        """
        today = self._clock.today()

        async def _quote(session: AsyncSession) -> CartView:
            customer = await load_customer(session, customer_id)
            view = await self._priced(session, customer, today)
            await self._validate_checkout(session, customer, view)
            return view

        return await self._db.run(_quote)

    async def checkout(self, customer_id: str, *, expected_total_cents: int | None = None) -> PlacedOrderView:
        """Place the caller's cart as an order, charged to the card on file, in one transaction.

        Args:
            customer_id: The verified caller.
            expected_total_cents: The total read back to the caller; the order is refused if the total
                is different now (a price, the stock or the promotion changed in between).

        Returns:
            The placed order (also visible to :class:`services.orders.OrderService`).

        Raises:
            InvalidStateError: ``cart_empty`` (with the last order placed, e.g. a checkout a moment ago),
                ``checkout_account_locked``, ``checkout_no_address``, ``out_of_stock`` (the first line
                short of stock), ``checkout_total_changed``, or ``write_conflict`` after repeated id
                clashes. Nothing is written.
            NotFoundError: ``customer_not_found``.
        """
        now = self._clock.now()
        today = now.date()

        async def _checkout(session: AsyncSession) -> PlacedOrderView:
            # First statement: lock this caller's cart (module docstring) before anything is read.
            await session.execute(
                update(CartItem)
                .where(CartItem.customer_id == customer_id)
                .values(quantity=CartItem.quantity)
                .execution_options(synchronize_session=False)
            )
            customer = await load_customer(session, customer_id)
            view = await self._priced(session, customer, today)
            address = await self._validate_checkout(session, customer, view)
            if expected_total_cents is not None and view.total_cents != expected_total_cents:
                raise InvalidStateError(
                    ErrorCode.CHECKOUT_TOTAL_CHANGED, expected_cents=expected_total_cents, total_cents=view.total_cents
                )
            order_id = await _next_order_id(session)
            charge_id = await _next_charge_id(session)
            for line in sorted(view.lines, key=lambda line: line.variant_id):
                await _take_stock(session, line)
            promotion = view.promotion if view.promotion is not None and view.promotion.eligible else None
            session.add(
                Order(
                    id=order_id,
                    customer_id=customer_id,
                    status="processing",
                    placed_at=now,
                    expected_delivery=today + dt.timedelta(days=DELIVERY_DAYS),
                    payment_method="card",
                    subtotal_cents=view.subtotal_cents,
                    discount_cents=view.discount_cents,
                    tax_cents=view.tax_cents,
                    shipping_cents=view.shipping_cents,
                    promo_code=promotion.promotion.code if promotion is not None else None,
                )
            )
            await session.flush()
            for line in view.lines:
                session.add(
                    OrderItem(
                        order_id=order_id,
                        sku=line.sku,
                        quantity=line.quantity,
                        unit_price_cents=line.unit_price_cents,
                        variant_id=line.variant_id,
                    )
                )
            session.add(
                TrackingEvent(
                    order_id=order_id, at=now, location=WAREHOUSE, description="Order received and being prepared"
                )
            )
            if promotion is not None:
                session.add(
                    PromotionRedemption(
                        customer_id=customer_id,
                        code=promotion.promotion.code,
                        order_id=order_id,
                        discount_cents=view.discount_cents,
                        at=now,
                    )
                )
            session.add(
                Charge(
                    id=charge_id,
                    customer_id=customer_id,
                    order_id=order_id,
                    amount_cents=view.total_cents,
                    merchant=MERCHANT,
                    description=f"Order {order_id}",
                    location="Online",
                    at=now,
                    status="posted",
                    risk_score=0,
                )
            )
            emptied = await session.execute(
                delete(CartItem).where(CartItem.customer_id == customer_id).execution_options(synchronize_session=False)
            )
            if _rowcount(emptied) != len(view.lines):
                raise InvalidStateError(ErrorCode.WRITE_CONFLICT)
            await session.execute(
                delete(CartPromotion)
                .where(CartPromotion.customer_id == customer_id)
                .execution_options(synchronize_session=False)
            )
            await session.flush()
            return PlacedOrderView(
                order_id=order_id,
                charge_id=charge_id,
                lines=view.lines,
                subtotal_cents=view.subtotal_cents,
                discount_cents=view.discount_cents,
                promo_code=promotion.promotion.code if promotion is not None else None,
                tax_cents=view.tax_cents,
                shipping_cents=view.shipping_cents,
                total_cents=view.total_cents,
                expected_delivery=today + dt.timedelta(days=DELIVERY_DAYS),
                address=address,
            )

        return await self._db.run(_checkout, write=True, conflict_retries=ID_CONFLICT_RETRIES)

    # ------------------------------------------------------------------ rules

    async def _priced(
        self, session: AsyncSession, customer: Customer, today: dt.date, *, promotion: PromotionCheck | None = None
    ) -> CartView:
        lines = await load_cart_lines(session, customer.id)
        if promotion is None:
            promotion = await applied_check(session, customer, lines, today)
        row = await session.get(Address, customer.id)
        address = AddressView(row.line1, row.city, row.region, row.postal_code) if row is not None else None
        return price_cart(lines, promotion, tier=customer.loyalty_tier, address=address)

    async def _validate_add(
        self, session: AsyncSession, customer_id: str, variant_id: int, quantity: int
    ) -> tuple[CartLineView, CartItem | None]:
        variant, product = await _load_variant(session, variant_id)
        item = await session.scalar(
            select(CartItem).where(CartItem.customer_id == customer_id, CartItem.variant_id == variant_id)
        )
        in_cart = item.quantity if item is not None else 0
        total = in_cart + quantity if _is_count(quantity) else quantity
        if not _is_count(quantity) or not MIN_LINE_QUANTITY <= quantity or total > MAX_LINE_QUANTITY:
            raise InvalidInputError(
                ErrorCode.CART_QUANTITY_OUT_OF_RANGE,
                item_name=product.name,
                quantity=total,
                in_cart=in_cart,
                min=MIN_LINE_QUANTITY,
                max=MAX_LINE_QUANTITY,
            )
        line = _line(variant, product, total)
        if variant.stock < total:
            raise InvalidStateError(
                ErrorCode.OUT_OF_STOCK,
                sku=product.sku,
                item_name=product.name,
                variant=line.variant_label,
                requested=total,
                available=max(0, variant.stock),
            )
        if item is None:
            lines = await session.scalar(
                select(func.count()).select_from(CartItem).where(CartItem.customer_id == customer_id)
            )
            if (lines or 0) >= MAX_CART_LINES:
                raise InvalidStateError(ErrorCode.CART_FULL, max_lines=MAX_CART_LINES)
        return line, item

    async def _validate_set(
        self, session: AsyncSession, customer_id: str, variant_id: int, quantity: int
    ) -> tuple[CartLineView, CartItem]:
        item = await session.scalar(
            select(CartItem).where(CartItem.customer_id == customer_id, CartItem.variant_id == variant_id)
        )
        if item is None:
            lines = await load_cart_lines(session, customer_id)
            raise NotFoundError(
                ErrorCode.CART_ITEM_NOT_FOUND,
                variant_id=variant_id,
                items=tuple(line.spoken() for line in lines),
            )
        variant, product = await _load_variant(session, variant_id)
        line = _line(variant, product, item.quantity)
        if not _is_count(quantity) or not 0 <= quantity <= MAX_LINE_QUANTITY:
            raise InvalidInputError(
                ErrorCode.CART_QUANTITY_OUT_OF_RANGE,
                item_name=product.name,
                quantity=quantity,
                in_cart=item.quantity,
                min=0,
                max=MAX_LINE_QUANTITY,
            )
        if quantity > item.quantity and variant.stock < quantity:
            raise InvalidStateError(
                ErrorCode.OUT_OF_STOCK,
                sku=product.sku,
                item_name=product.name,
                variant=line.variant_label,
                requested=quantity,
                available=max(0, variant.stock),
            )
        return line, item

    async def _validate_checkout(self, session: AsyncSession, customer: Customer, view: CartView) -> AddressView:
        if customer.security_locked_at is not None:
            raise InvalidStateError(ErrorCode.CHECKOUT_ACCOUNT_LOCKED)
        if view.empty:
            raise InvalidStateError(ErrorCode.CART_EMPTY, last_order_id=await _last_order_id(session, customer.id))
        if view.address is None:
            raise InvalidStateError(ErrorCode.CHECKOUT_NO_ADDRESS)
        for line in view.lines:
            if line.stock < line.quantity:
                raise InvalidStateError(
                    ErrorCode.OUT_OF_STOCK,
                    sku=line.sku,
                    item_name=line.name,
                    variant=line.variant_label,
                    requested=line.quantity,
                    available=max(0, line.stock),
                )
        return view.address


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _line(variant: ProductVariant, product: Product, quantity: int) -> CartLineView:
    return CartLineView(
        variant_id=variant.id,
        sku=product.sku,
        name=product.name,
        category=product.category,
        size=variant.size,
        colour=variant.colour,
        format=variant.format,
        unit_price_cents=variant.price_cents,
        quantity=quantity,
        stock=variant.stock,
    )


def _rowcount(result: object) -> int:
    count = getattr(result, "rowcount", -1)
    return int(count) if isinstance(count, int) else -1


async def _load_variant(session: AsyncSession, variant_id: int) -> tuple[ProductVariant, Product]:
    found = None
    if _is_count(variant_id):
        found = (
            await session.execute(
                select(ProductVariant, Product)
                .join(Product, Product.sku == ProductVariant.sku)
                .where(ProductVariant.id == variant_id)
            )
        ).first()
    if found is None:
        raise NotFoundError(ErrorCode.VARIANT_NOT_IN_CATALOGUE, variant_id=variant_id)
    variant, product = found
    return variant, product


async def _take_stock(session: AsyncSession, line: CartLineView) -> None:
    """Take the line's units from the variant only if enough are left (a concurrent order may have taken them),
    then from the product."""
    taken = await session.execute(
        update(ProductVariant)
        .where(ProductVariant.id == line.variant_id, ProductVariant.stock >= line.quantity)
        .values(stock=ProductVariant.stock - line.quantity)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(taken) != 1:
        available = await session.scalar(select(ProductVariant.stock).where(ProductVariant.id == line.variant_id))
        raise InvalidStateError(
            ErrorCode.OUT_OF_STOCK,
            sku=line.sku,
            item_name=line.name,
            variant=line.variant_label,
            requested=line.quantity,
            available=max(0, available or 0),
        )
    await session.execute(
        update(Product)
        .where(Product.sku == line.sku)
        .values(stock=case((Product.stock >= line.quantity, Product.stock - line.quantity), else_=0))
        .execution_options(synchronize_session=False)
    )


async def _next_order_id(session: AsyncSession) -> str:
    low, high = ORDER_ID.format(FIRST_ORDER_NUMBER), ORDER_ID.format(LAST_ORDER_NUMBER)
    latest = await session.scalar(select(func.max(Order.id)).where(Order.id >= low, Order.id <= high))
    number = int(latest.split("-")[1]) + 1 if latest else FIRST_ORDER_NUMBER
    return ORDER_ID.format(number)


async def _next_charge_id(session: AsyncSession) -> str:
    low = CHARGE_ID.format(0)
    latest = await session.scalar(select(func.max(Charge.id)).where(Charge.id >= low, Charge.id.like("CHG-%")))
    number = int(latest.split("-")[1]) + 1 if latest else FIRST_CHARGE_NUMBER
    return CHARGE_ID.format(max(number, FIRST_CHARGE_NUMBER))


async def _last_order_id(session: AsyncSession, customer_id: str) -> str | None:
    low, high = ORDER_ID.format(FIRST_ORDER_NUMBER), ORDER_ID.format(LAST_ORDER_NUMBER)
    found: str | None = await session.scalar(
        select(Order.id)
        .where(Order.customer_id == customer_id, Order.id >= low, Order.id <= high)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(1)
    )
    return found
