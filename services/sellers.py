"""Sellers for buyers (rating, policies, disputes, messages) and for store owners (performance,
payouts, listing stock).

Buyers may look up any seller: profiles and policies are public. Disputes and messages are the
verified caller's own (``customer_id`` comes from the call's context, never from the model), and an
order they name must be theirs and hold an item of that seller. Store tools serve only the owner:
every store query is filtered by ``Seller.owner_customer_id == customer_id``, so another store's
listing, payouts or figures are unreachable, and a listing of another store is "not found" exactly
like one that does not exist.

Seller references are resolved here, by code (:meth:`SellerService.find_seller`): a store name said
aloud or misheard (rapidfuzz), a seller id, a SKU, an order number, a product the caller bought, a
product the desk just presented, or "my store".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from rapidfuzz import fuzz, utils
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from .clock import Clock
from .db import ID_CONFLICT_RETRIES, Database
from .errors import ErrorCode, InvalidInputError, InvalidStateError, NotFoundError, checked_text
from .ids import SELLER_ID, SELLER_ISSUE_ID, SELLER_MESSAGE_ID
from .models import Order, OrderItem, Product, ProductVariant, Seller
from .orders import load_owned_order
from .seller_models import ListingStockChange, Payout, SellerIssue, SellerMessage
from .views import (
    LowStockView,
    PayoutStatusView,
    PayoutView,
    SellerIssueView,
    SellerMatch,
    SellerMessageView,
    SellerView,
    StockChangeView,
    StorePerformanceView,
)

__all__ = [
    "ISSUE_KINDS",
    "LOW_STOCK_UNITS",
    "MAX_DESCRIPTION",
    "MAX_MESSAGE",
    "MAX_REFERENCE",
    "MAX_STOCK",
    "MESSAGES_PER_SELLER_PER_DAY",
    "PERFORMANCE_DAYS",
    "IssueKind",
    "SellerService",
    "is_own_reference",
]

IssueKind = Literal["not_as_described", "not_received", "seller_unresponsive", "counterfeit", "other"]
ISSUE_KINDS: tuple[str, ...] = get_args(IssueKind)
"""The kinds of dispute a buyer can open with a seller."""
KINDS_NEEDING_ORDER = frozenset({"not_as_described", "not_received"})
"""A dispute about an item not received or not as described concerns one order: the order is required."""
KINDS_NEEDING_DELIVERY = frozenset({"not_as_described", "counterfeit"})
"""Judging an item (not as described, counterfeit) needs it delivered first."""

MAX_REFERENCE = 120
"""Longest seller or listing reference accepted, in characters."""
MAX_DESCRIPTION = 300
"""Longest dispute description, in characters (as delivery issues, :data:`services.orders.MAX_TEXT`)."""
MAX_MESSAGE = 500
"""Longest message relayed to a seller, in characters (about a minute of speech)."""
MESSAGES_PER_SELLER_PER_DAY = 3
"""Messages one buyer may send one seller per UTC day (anti-spam; a dispute is the way to escalate)."""
MIN_STOCK, MAX_STOCK = 0, 10_000
"""Bounds of a listing variant's stock set through the desk, in units (the seller desk's rule for a change by phone)."""
LOW_STOCK_UNITS = 5
"""A listing variant with this many units or fewer is reported as low on stock."""
PERFORMANCE_DAYS = 30
"""Window of the store performance figures, in days before now."""
ISSUE_FIRST, MESSAGE_FIRST = 610001, 620001
"""First numbers of the dispute and message ids (:mod:`services.ids`; payouts start at 630001, seeded)."""

SELLER_NAME_SCORE = 80
"""Score (0-100, :func:`_score`: rapidfuzz WRatio and token-set ratio) from which a store name matches."""
PRODUCT_SCORE = 75
"""Score from which a product the caller bought, or the desk presented, matches."""
CATALOGUE_SCORE = 86
"""Score from which any catalogue product matches (stricter: the catalogue holds hundreds of products)."""
LISTING_SCORE = 70
"""Score from which one of the owner's own listings matches."""
TIE_MARGIN = 4
"""Matches within this many points of the best one are equally plausible (the caller is asked)."""

_SELLER_ID_RE = re.compile(r"\bSEL[\s\-#]*(\d{4})\b", re.IGNORECASE | re.ASCII)
_SKU_RE = re.compile(r"\b(FSH|ELC|BOK|HOM|GFT)[\s\-#]*(\d{4})\b", re.IGNORECASE | re.ASCII)
_ORDER_RE = re.compile(r"(?:\bORD[\s\-#]*)?(?<!\d)(\d{6})(?!\d)", re.IGNORECASE | re.ASCII)
_OWN_RE = re.compile(
    r"\b(my|mine|i\s+(?:bought|ordered|got|purchased|received)|order(?:ed)?)\b|\bORD[\s\-#]*\d|(?<!\d)\d{6}(?!\d)",
    re.IGNORECASE,
)
_MY_STORE_RE = re.compile(r"\bmy\s+(?:own\s+)?(?:store|shop|listings?|business)\b", re.IGNORECASE)
_FILLER = frozenset(
    "a an the of my mine from who whom sells sold selling seller sellers store shop vendor merchant that this "
    "i me bought ordered order got purchased please for it its is was about company which what one".split()
)
_CATEGORY_WORD = {"books": "book", "electronics": "electronics", "fashion": "clothes", "home": "home goods"}
"""How a caller names a category of a product they bought ("the book I bought")."""
_SIZE_WORDS = {
    "extra small": "xs",
    "x small": "xs",
    "small": "s",
    "medium": "m",
    "large": "l",
    "extra large": "xl",
    "x large": "xl",
    "double extra large": "xxl",
    "xx large": "xxl",
}


def is_own_reference(reference: str) -> bool:
    """Whether a seller reference points at the caller's own records ("my lamp", an order number, "my store").

    Such a reference needs a verified caller (tools send an unverified one to verification first).
    """
    return _OWN_RE.search(reference) is not None


@dataclass(frozen=True)
class _Candidate:
    """One thing a seller reference may name: a store, or a product (with its seller)."""

    texts: tuple[str, ...]
    """Names matched loosely (WRatio: partial, misheard, in any order)."""
    seller_id: str
    via: str = ""
    order_id: str | None = None
    sku: str | None = None
    labels: tuple[str, ...] = ()
    """Short words for the thing ("sofa", "Northwind rain jacket", "book"), matched whole: a label inside a
    longer reference ("harbor sofa") must not tie with the product the reference names."""


class SellerService:
    """Seller lookups for buyers and store tools for owners.

    Args:
        db: Database.
        clock: Source of "now" (message limits, performance window, reply times).
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # ------------------------------------------------------------------ buyers: lookups

    async def find_seller(
        self, reference: str, *, customer_id: str | None = None, skus_in_view: Sequence[str] = ()
    ) -> SellerMatch:
        """Resolve what the caller said to one seller.

        Tried in order, the first that decides wins: a seller id (``SEL-1001``); "my store" (the
        caller's own store); an order number (the caller's order; its seller, or the one whose item
        the reference also names); a SKU; then fuzzy matches (rapidfuzz WRatio, filler words such as
        "the seller of my" removed) against the store names, the products of the caller's orders,
        the products the desk presented (``skus_in_view``) and, unless the reference is about the
        caller's own records, the whole catalogue. Matches within :data:`TIE_MARGIN` points of the
        best that lead to different sellers make the reference ambiguous.

        Args:
            reference: What the caller said, e.g. ``"Lakeside Home Goods"``, ``"lakeside home"``,
                ``"SEL-1001"``, ``"the seller of my jacket"``, ``"order 100101"``, ``"HOM-4001"``.
            customer_id: The verified caller, whose orders and store may be searched; ``None`` for an
                unverified caller (public data only).
            skus_in_view: Products the desk presented in this call, oldest first.

        Returns:
            The seller and, when the reference went through one, the product and the caller's order.

        Raises:
            NotFoundError: ``seller_not_found``, ``seller_ambiguous``, ``order_not_found`` (an order
                number that is not the caller's), ``no_seller_store`` ("my store" from a non-owner).
            InvalidInputError: ``field_missing``, ``field_too_long``, ``not_text``, ``text_not_encodable``
                (``field`` is ``seller``).
        """
        ref = checked_text(reference, field="seller", max_len=MAX_REFERENCE)
        in_view = tuple(str(s) for s in skus_in_view)[-12:]

        async def _find(session: AsyncSession) -> SellerMatch:
            return await self._resolve(session, ref, customer_id, in_view)

        return await self._db.run(_find)

    async def get_seller(self, seller_id: str) -> SellerView:
        """One seller's public profile.

        Raises:
            NotFoundError: ``seller_not_found``.
        """

        async def _get(session: AsyncSession) -> SellerView:
            return seller_view(await _load_seller(session, seller_id))

        return await self._db.run(_get)

    # ------------------------------------------------------------------ buyers: disputes

    async def check_seller_issue(
        self, customer_id: str, seller_id: str, *, order_id: str | None, kind: str, description: str
    ) -> SellerIssueView:
        """Validate a dispute without opening it (run before the read-back).

        Returns:
            The dispute as it would be opened (id ``""``).

        Raises:
            As :meth:`report_seller_issue`.
        """
        now = self._clock.now()

        async def _check(session: AsyncSession) -> SellerIssueView:
            seller, order, text = await self._validate_issue(
                session, customer_id, seller_id, order_id, kind, description
            )
            return _issue_view("", seller, order.id if order else None, kind, text, "open", now)

        return await self._db.run(_check)

    async def report_seller_issue(
        self, customer_id: str, seller_id: str, *, order_id: str | None, kind: str, description: str
    ) -> SellerIssueView:
        """Open a dispute with a seller (``SIS-`` + 6 digits, from 610001), in one transaction.

        Rules: ``kind`` is one of :data:`ISSUE_KINDS`; an item not received or not as described needs
        its order; a named order must be the caller's and hold an item sold by that seller; "not as
        described" and "counterfeit" need the order delivered, "not received" needs it past its
        expected date; one open dispute per caller, seller and order (or per caller and seller when
        no order is named).

        Args:
            customer_id: The verified caller.
            seller_id: A seller id resolved by :meth:`find_seller`.
            order_id: ``ORD-######`` of the caller's order, or ``None``.
            kind: One of :data:`ISSUE_KINDS`.
            description: The problem in the caller's words (at most :data:`MAX_DESCRIPTION` characters).

        Raises:
            NotFoundError: ``seller_not_found``, ``order_not_found`` (also another customer's order).
            InvalidStateError: ``seller_not_on_order``, ``seller_issue_already_open``, ``not_delivered``
                (with ``issue_kind``), ``not_late``.
            InvalidInputError: ``seller_issue_kind_unknown``, ``seller_issue_needs_order``; the description is
                refused (``field_missing``, ``field_too_long``, ``not_text``, ``text_not_encodable``; ``field``
                is ``issue description``). Nothing is written.
        """
        now = self._clock.now()

        async def _report(session: AsyncSession) -> SellerIssueView:
            seller, order, text = await self._validate_issue(
                session, customer_id, seller_id, order_id, kind, description
            )
            issue_id = SELLER_ISSUE_ID.format(await _next_number(session, SellerIssue.id, ISSUE_FIRST))
            session.add(
                SellerIssue(
                    id=issue_id,
                    customer_id=customer_id,
                    seller_id=seller.id,
                    order_id=order.id if order else None,
                    kind=kind,
                    description=text,
                    status="open",
                    created_at=now,
                )
            )
            return _issue_view(issue_id, seller, order.id if order else None, kind, text, "open", now)

        return await self._db.run(_report, write=True, conflict_retries=ID_CONFLICT_RETRIES)

    async def _validate_issue(
        self,
        session: AsyncSession,
        customer_id: str,
        seller_id: str,
        order_id: str | None,
        kind: str,
        description: str,
    ) -> tuple[Seller, Order | None, str]:
        if kind not in ISSUE_KINDS:
            raise InvalidInputError(ErrorCode.SELLER_ISSUE_KIND_UNKNOWN, kind=str(kind)[:40], kinds=ISSUE_KINDS)
        text = checked_text(description, field="issue description", max_len=MAX_DESCRIPTION)
        seller = await _load_seller(session, seller_id)
        order = await _owned_order_of_seller(session, customer_id, order_id, seller) if order_id else None
        if order is None and kind in KINDS_NEEDING_ORDER:
            raise InvalidInputError(ErrorCode.SELLER_ISSUE_NEEDS_ORDER, kind=kind, seller_name=seller.name)
        if order is not None:
            today = self._clock.today()
            if kind in KINDS_NEEDING_DELIVERY and order.status != "delivered":
                raise InvalidStateError(
                    ErrorCode.NOT_DELIVERED, order_id=order.id, status=order.status, issue_kind=kind
                )
            late = order.expected_delivery is None or order.expected_delivery < today
            if kind == "not_received" and order.status != "delivered" and not late:
                raise InvalidStateError(ErrorCode.NOT_LATE, order_id=order.id, expected=order.expected_delivery)
        existing = await session.scalar(
            select(SellerIssue.id)
            .where(
                SellerIssue.customer_id == customer_id,
                SellerIssue.seller_id == seller.id,
                SellerIssue.status == "open",
                SellerIssue.order_id == order.id if order is not None else SellerIssue.order_id.is_(None),
            )
            .limit(1)
        )
        if existing is not None:
            raise InvalidStateError(
                ErrorCode.SELLER_ISSUE_ALREADY_OPEN,
                issue_id=existing,
                seller_name=seller.name,
                order_id=order.id if order else None,
            )
        return seller, order, text

    # ------------------------------------------------------------------ buyers: messages

    async def check_message(
        self, customer_id: str, seller_id: str, *, message: str, order_id: str | None
    ) -> SellerMessageView:
        """Validate a message to a seller without sending it (run before the read-back).

        Returns:
            The message as it would be relayed (id ``""``).

        Raises:
            As :meth:`contact_seller`.
        """
        now = self._clock.now()

        async def _check(session: AsyncSession) -> SellerMessageView:
            seller, order, body = await self._validate_message(session, customer_id, seller_id, order_id, message, now)
            return _message_view("", seller, order.id if order else None, body, now)

        return await self._db.run(_check)

    async def contact_seller(
        self, customer_id: str, seller_id: str, *, message: str, order_id: str | None
    ) -> SellerMessageView:
        """Relay a message to a seller and log it (``MSG-`` + 6 digits, from 620001), in one transaction.

        The seller answers by email; the expected reply time is the seller's ``response_hours``.

        Rules: a named order must be the caller's and hold an item sold by that seller; at most
        :data:`MESSAGES_PER_SELLER_PER_DAY` messages from one caller to one seller per UTC day; the
        message is at most :data:`MAX_MESSAGE` characters.

        Raises:
            NotFoundError: ``seller_not_found``, ``order_not_found``.
            InvalidStateError: ``seller_not_on_order``, ``seller_message_limit``.
            InvalidInputError: the message is refused (``field_missing``, ``field_too_long``, ``not_text``,
                ``text_not_encodable``; ``field`` is ``message``). Nothing is written.
        """
        now = self._clock.now()

        async def _send(session: AsyncSession) -> SellerMessageView:
            seller, order, body = await self._validate_message(session, customer_id, seller_id, order_id, message, now)
            message_id = SELLER_MESSAGE_ID.format(await _next_number(session, SellerMessage.id, MESSAGE_FIRST))
            session.add(
                SellerMessage(
                    id=message_id,
                    customer_id=customer_id,
                    seller_id=seller.id,
                    order_id=order.id if order else None,
                    body=body,
                    status="relayed",
                    created_at=now,
                )
            )
            return _message_view(message_id, seller, order.id if order else None, body, now)

        return await self._db.run(_send, write=True, conflict_retries=ID_CONFLICT_RETRIES)

    async def _validate_message(
        self,
        session: AsyncSession,
        customer_id: str,
        seller_id: str,
        order_id: str | None,
        message: str,
        now: dt.datetime,
    ) -> tuple[Seller, Order | None, str]:
        body = checked_text(message, field="message", max_len=MAX_MESSAGE)
        seller = await _load_seller(session, seller_id)
        order = await _owned_order_of_seller(session, customer_id, order_id, seller) if order_id else None
        day_start = dt.datetime.combine(now.date(), dt.time())
        sent = await session.scalar(
            select(func.count())
            .select_from(SellerMessage)
            .where(
                SellerMessage.customer_id == customer_id,
                SellerMessage.seller_id == seller.id,
                SellerMessage.created_at >= day_start,
            )
        )
        if (sent or 0) >= MESSAGES_PER_SELLER_PER_DAY:
            raise InvalidStateError(
                ErrorCode.SELLER_MESSAGE_LIMIT, seller_name=seller.name, limit=MESSAGES_PER_SELLER_PER_DAY
            )
        return seller, order, body

    # ------------------------------------------------------------------ store owners

    async def get_store(self, customer_id: str) -> SellerView:
        """The store the verified caller owns.

        Raises:
            NotFoundError: ``no_seller_store``.
        """

        async def _get(session: AsyncSession) -> SellerView:
            return seller_view(await _owned_store(session, customer_id))

        return await self._db.run(_get)

    async def get_store_performance(self, customer_id: str) -> StorePerformanceView:
        """The caller's store over the last :data:`PERFORMANCE_DAYS` days.

        Units sold and revenue come from the order lines of the store's products in orders placed in
        the window (cancelled orders excluded; revenue is the lines' price times quantity, in cents);
        the rating is the store's; open disputes are the store's ``open`` disputes; a late shipment is
        an order holding the store's items still ``processing`` more than the store's handling days
        after it was placed; low stock lists variants with at most :data:`LOW_STOCK_UNITS` units.

        Raises:
            NotFoundError: ``no_seller_store``.
        """
        now = self._clock.now()
        since = now - dt.timedelta(days=PERFORMANCE_DAYS)

        async def _performance(session: AsyncSession) -> StorePerformanceView:
            store = await _owned_store(session, customer_id)
            lines = (
                await session.execute(
                    select(Order.id, Order.status, Order.placed_at, OrderItem.quantity, OrderItem.unit_price_cents)
                    .join(OrderItem, OrderItem.order_id == Order.id)
                    .join(Product, Product.sku == OrderItem.sku)
                    .where(Product.seller_id == store.id, Order.placed_at >= since, Order.status != "cancelled")
                )
            ).all()
            late_after = dt.timedelta(days=store.handling_days)
            late = {oid for oid, status, placed, _, _ in lines if status == "processing" and now - placed > late_after}
            disputes = await session.scalar(
                select(func.count())
                .select_from(SellerIssue)
                .where(SellerIssue.seller_id == store.id, SellerIssue.status == "open")
            )
            products = list(
                await session.scalars(
                    select(Product)
                    .where(Product.seller_id == store.id)
                    .options(selectinload(Product.variants))
                    .order_by(Product.sku)
                )
            )
            low = [
                LowStockView(p.sku, p.name, variant_label(v), v.stock)
                for p in products
                for v in (p.variants or [])
                if v.stock <= LOW_STOCK_UNITS
            ]
            low += [
                LowStockView(p.sku, p.name, "", p.stock)
                for p in products
                if not p.variants and p.stock <= LOW_STOCK_UNITS
            ]
            return StorePerformanceView(
                seller_id=store.id,
                seller_name=store.name,
                days=PERFORMANCE_DAYS,
                orders=len({row[0] for row in lines}),
                units_sold=sum(row[3] for row in lines),
                revenue_cents=sum(row[3] * row[4] for row in lines),
                rating_tenths=store.rating_tenths,
                rating_count=store.rating_count,
                listings=len(products),
                open_disputes=int(disputes or 0),
                late_shipments=len(late),
                low_stock=tuple(sorted(low, key=lambda v: (v.stock, v.sku, v.variant))),
            )

        return await self._db.run(_performance)

    async def get_payout_status(self, customer_id: str) -> PayoutStatusView:
        """The caller's store's payouts: the last paid, the next scheduled, and every one on hold.

        Raises:
            NotFoundError: ``no_seller_store``.
        """

        async def _status(session: AsyncSession) -> PayoutStatusView:
            store = await _owned_store(session, customer_id)
            payouts = list(await session.scalars(select(Payout).where(Payout.seller_id == store.id)))
            paid = [p for p in payouts if p.status == "paid"]
            scheduled = [p for p in payouts if p.status == "scheduled"]
            held = sorted((p for p in payouts if p.status == "on_hold"), key=lambda p: (p.scheduled_for, p.id))
            last = max(paid, key=lambda p: (p.paid_at or dt.datetime.min, p.id)) if paid else None
            nxt = min(scheduled, key=lambda p: (p.scheduled_for, p.id)) if scheduled else None
            return PayoutStatusView(
                seller_id=store.id,
                seller_name=store.name,
                last_paid=_payout_view(last) if last else None,
                next_scheduled=_payout_view(nxt) if nxt else None,
                on_hold=tuple(_payout_view(p) for p in held),
            )

        return await self._db.run(_status)

    async def plan_stock_update(
        self, customer_id: str, listing: str, *, variant: str = "", quantity: int
    ) -> StockChangeView:
        """Resolve a listing of the caller's store and validate a new stock for it, without writing.

        The listing is matched among the caller's own listings only: a SKU of the store, or the
        product's name or kind (rapidfuzz, filler words removed); the variant by its size, colour
        or format ("medium blue", "paperback"); a single-variant product needs none.

        Args:
            customer_id: The verified caller (the store owner).
            listing: What the caller said, e.g. ``"the brass desk lamp"`` or ``"HOM-4001"``.
            variant: e.g. ``"size M, blue"``, ``"paperback"``; ``""`` when the product has one variant.
            quantity: The new number of units, :data:`MIN_STOCK` to :data:`MAX_STOCK`.

        Returns:
            The change as it would be made.

        Raises:
            NotFoundError: ``no_seller_store``, ``listing_not_found`` (also another store's product),
                ``listing_ambiguous``, ``listing_variant_not_found``.
            InvalidInputError: ``listing_variant_required``, ``listing_stock_out_of_range``,
                ``listing_stock_unchanged``; the reference is refused (``field`` is ``listing`` or ``variant``).
        """
        _check_quantity(quantity)
        ref = checked_text(listing, field="listing", max_len=MAX_REFERENCE)
        variant_ref = checked_text(variant, field="variant", max_len=MAX_REFERENCE, required=False)

        async def _plan(session: AsyncSession) -> StockChangeView:
            store = await _owned_store(session, customer_id)
            product = await _resolve_listing(session, store, ref)
            if variant_ref:
                chosen = _resolve_variant(product, variant_ref)
            else:  # "the navy harbor sofa": the variant may be in the listing's words (beyond the product's name)
                chosen = _resolve_variant(product, _beyond_name(ref, product.name), required=True)
            return _stock_change(store, product, chosen, quantity)

        return await self._db.run(_plan)

    async def update_listing_stock(
        self, customer_id: str, sku: str, *, variant_id: int | None, quantity: int
    ) -> StockChangeView:
        """Set the stock of one variant of the caller's own listing, and the product's total, in one transaction.

        The ownership is checked again inside the transaction (the product's seller must be the
        caller's store), and the change is logged in ``listing_stock_changes``.

        Args:
            customer_id: The verified caller (the store owner).
            sku: The listing, as resolved by :meth:`plan_stock_update`.
            variant_id: The variant, as resolved by :meth:`plan_stock_update` (``None``: a product without variants).
            quantity: The new number of units, :data:`MIN_STOCK` to :data:`MAX_STOCK`.

        Returns:
            The change made, with the product's new total.

        Raises:
            As :meth:`plan_stock_update` (``listing_not_found`` for a SKU or variant that is not the store's).
        """
        _check_quantity(quantity)
        checked_text(sku, field="listing", max_len=MAX_REFERENCE)
        now = self._clock.now()

        async def _update(session: AsyncSession) -> StockChangeView:
            store = await _owned_store(session, customer_id)
            product = await session.scalar(
                select(Product)
                .where(Product.sku == sku, Product.seller_id == store.id)
                .options(selectinload(Product.variants))
            )
            if product is None:
                raise NotFoundError(ErrorCode.LISTING_NOT_FOUND, reference=sku, listings=())
            chosen = next((v for v in product.variants if v.id == variant_id), None)
            if chosen is None and (variant_id is not None or product.variants):
                raise NotFoundError(ErrorCode.LISTING_NOT_FOUND, reference=sku, listings=())
            planned = _stock_change(store, product, chosen, quantity)
            if chosen is not None:
                chosen.stock = quantity
            product.stock = planned.product_stock
            session.add(
                ListingStockChange(
                    seller_id=store.id,
                    sku=product.sku,
                    variant_id=chosen.id if chosen else None,
                    old_stock=planned.old_stock,
                    new_stock=quantity,
                    changed_by=customer_id,
                    at=now,
                )
            )
            return planned

        return await self._db.run(_update, write=True)

    # ------------------------------------------------------------------ resolution

    async def _resolve(
        self, session: AsyncSession, ref: str, customer_id: str | None, in_view: tuple[str, ...]
    ) -> SellerMatch:
        m = _SELLER_ID_RE.search(ref)
        if m:
            return SellerMatch(seller_view(await _load_seller(session, SELLER_ID.format(int(m.group(1))))))
        if customer_id is not None and _MY_STORE_RE.search(ref):
            return SellerMatch(seller_view(await _owned_store(session, customer_id)))
        words = _content_words(ref)
        m = _ORDER_RE.search(ref)
        if m and customer_id is not None:
            return await _seller_of_order(session, customer_id, f"ORD-{m.group(1)}", ref, words)
        m = _SKU_RE.search(ref)
        if m:
            sku = f"{m.group(1).upper()}-{m.group(2)}"
            product = await session.get(Product, sku)
            if product is not None and product.seller_id is not None:
                return SellerMatch(
                    seller_view(await _load_seller(session, product.seller_id)), via=product.name, sku=sku
                )
            raise NotFoundError(ErrorCode.SELLER_NOT_FOUND, reference=ref)
        if not words:
            raise NotFoundError(ErrorCode.SELLER_NOT_FOUND, reference=ref)
        sellers = {s.id: s for s in await session.scalars(select(Seller))}
        own = is_own_reference(ref)
        stages: list[tuple[list[_Candidate], int]] = [
            ([_Candidate((s.name,), s.id) for s in sellers.values()], SELLER_NAME_SCORE),
        ]
        if customer_id is not None:
            # "the book I bought" means the caller's order before any store with "Books" in its name.
            stages.insert(0 if own else 1, (await _ordered_candidates(session, customer_id), PRODUCT_SCORE))
        if in_view:
            stages.append((await _product_candidates(session, Product.sku.in_(in_view)), PRODUCT_SCORE))
        if not own:
            stages.append((await _product_candidates(session, Product.seller_id.is_not(None)), CATALOGUE_SCORE))
        for candidates, cutoff in stages:
            hits = _best(words, candidates, cutoff)
            if not hits:
                continue
            by_seller: dict[str, _Candidate] = {}
            for hit in hits:
                by_seller.setdefault(hit.seller_id, hit)
            if len(by_seller) == 1:
                best = hits[0]
                return SellerMatch(seller_view(sellers[best.seller_id]), best.via, best.order_id, best.sku)
            options = tuple((sellers[c.seller_id].name, c.via) for c in list(by_seller.values())[:5])
            raise NotFoundError(ErrorCode.SELLER_AMBIGUOUS, reference=ref, options=options)
        raise NotFoundError(ErrorCode.SELLER_NOT_FOUND, reference=ref)


# ---------------------------------------------------------------------- helpers


def seller_view(s: Seller) -> SellerView:
    """Snapshot an ORM seller."""
    return SellerView(
        id=s.id,
        name=s.name,
        rating_tenths=s.rating_tenths,
        rating_count=s.rating_count,
        ships_from=s.ships_from,
        handling_days=s.handling_days,
        response_hours=s.response_hours,
        return_window_days=s.return_window_days,
        contact_email=s.contact_email,
        policy_note=s.policy_note,
    )


def variant_label(v: ProductVariant) -> str:
    """How a variant is said: ``"size M, blue"``, ``"paperback"``, ``""`` for the only plain variant."""
    parts = [f"size {v.size}" if v.size else "", v.colour, v.format]
    return ", ".join(p for p in parts if p)


def _content_words(text: str) -> str:
    """``text`` without filler words ("the seller of my lamp" → ``"lamp"``), lower-cased, punctuation removed."""
    words = utils.default_process(text).split()
    return " ".join(w for w in words if w not in _FILLER)


def _best(query: str, candidates: Iterable[_Candidate], cutoff: int) -> list[_Candidate]:
    """Candidates scoring at least ``cutoff`` and within :data:`TIE_MARGIN` of the best, best first."""
    scored: list[tuple[float, _Candidate]] = []
    for c in candidates:
        score = max(
            [*(_score(query, t) for t in c.texts if t), *(_label_score(query, t) for t in c.labels if t)], default=0.0
        )
        if score >= cutoff:
            scored.append((score, c))
    if not scored:
        return []
    scored.sort(key=lambda sc: -sc[0])
    top = scored[0][0]
    return [c for score, c in scored if score >= top - TIE_MARGIN]


def _score(query: str, text: str) -> float:
    """How well ``query`` names ``text`` (0-100): rapidfuzz WRatio, also with spaces removed ("lake side" for
    "Lakeside"), and 0.9 x the token-set ratio (every word said appears in the text: "brass lamp")."""
    return max(
        fuzz.WRatio(query, text, processor=utils.default_process),
        fuzz.WRatio(query.replace(" ", ""), text.replace(" ", ""), processor=utils.default_process),
        0.9 * fuzz.token_set_ratio(query, text, processor=utils.default_process),
    )


def _label_score(query: str, label: str) -> float:
    """How well ``query`` is ``label`` as a whole (token-sort ratio: no partial match)."""
    return fuzz.token_sort_ratio(query, label, processor=utils.default_process)


async def _ordered_candidates(session: AsyncSession, customer_id: str) -> list[_Candidate]:
    """The products of the caller's orders (newest order first), each with its seller and order."""
    rows = (
        await session.execute(
            select(
                Order.id, Product.sku, Product.name, Product.kind, Product.brand, Product.category, Product.seller_id
            )
            .join(OrderItem, OrderItem.order_id == Order.id)
            .join(Product, Product.sku == OrderItem.sku)
            .where(Order.customer_id == customer_id, Product.seller_id.is_not(None))
            .order_by(Order.placed_at.desc(), Order.id)
        )
    ).all()
    return [
        _Candidate(
            (name,), str(seller_id), name, oid, sku, labels=(kind, f"{brand} {kind}", _CATEGORY_WORD.get(category, ""))
        )
        for oid, sku, name, kind, brand, category, seller_id in rows
    ]


async def _product_candidates(session: AsyncSession, condition: object) -> list[_Candidate]:
    rows = (
        await session.execute(
            select(Product.sku, Product.name, Product.kind, Product.brand, Product.seller_id)
            .where(condition)  # type: ignore[arg-type]
            .order_by(Product.sku)
        )
    ).all()
    return [
        _Candidate((name,), seller_id, name, None, sku, labels=(f"{brand} {kind}",))
        for sku, name, kind, brand, seller_id in rows
        if seller_id is not None
    ]


async def _seller_of_order(session: AsyncSession, customer_id: str, order_id: str, ref: str, words: str) -> SellerMatch:
    """The seller of the caller's order (the one whose item ``words`` names, if the order has several)."""
    order = await load_owned_order(session, customer_id, order_id)
    candidates = [
        _Candidate(
            (i.product.name,), str(i.product.seller_id), i.product.name, order.id, i.sku, labels=(i.product.kind,)
        )
        for i in order.items
        if i.product.seller_id is not None
    ]
    if not candidates:
        raise NotFoundError(ErrorCode.SELLER_NOT_FOUND, reference=ref)
    sellers = {c.seller_id for c in candidates}
    if len(sellers) > 1:
        named = [w for w in words.split() if not w.isdigit() and w != "ord"]
        hits = _best(" ".join(named), candidates, PRODUCT_SCORE) if named else []
        if len({h.seller_id for h in hits}) == 1:
            candidates = hits
        else:
            options = [
                ((await _load_seller(session, c.seller_id)).name, c.via)
                for c in {c.seller_id: c for c in candidates}.values()
            ]
            raise NotFoundError(ErrorCode.SELLER_AMBIGUOUS, reference=ref, options=tuple(options[:5]))
    best = candidates[0]
    return SellerMatch(seller_view(await _load_seller(session, best.seller_id)), best.via, order.id, best.sku)


async def _load_seller(session: AsyncSession, seller_id: str) -> Seller:
    checked_text(seller_id, field="seller", max_len=MAX_REFERENCE)
    seller = await session.get(Seller, seller_id)
    if seller is None:
        raise NotFoundError(ErrorCode.SELLER_NOT_FOUND, reference=seller_id)
    return seller


async def _owned_store(session: AsyncSession, customer_id: str) -> Seller:
    """The store ``customer_id`` owns (the first by id if several).

    Raises:
        NotFoundError: ``no_seller_store``.
    """
    store = await session.scalar(
        select(Seller).where(Seller.owner_customer_id == customer_id).order_by(Seller.id).limit(1)
    )
    if store is None:
        raise NotFoundError(ErrorCode.NO_SELLER_STORE, customer_id=customer_id)
    return store


async def _owned_order_of_seller(session: AsyncSession, customer_id: str, order_id: str, seller: Seller) -> Order:
    """The caller's order, which must hold an item sold by ``seller``.

    Raises:
        NotFoundError: ``order_not_found`` (also another customer's order).
        InvalidStateError: ``seller_not_on_order``.
    """
    order = await load_owned_order(session, customer_id, order_id)
    seller_ids = [i.product.seller_id for i in order.items]
    if seller.id not in seller_ids:
        others = [sid for sid in dict.fromkeys(seller_ids) if sid is not None]
        names = tuple(
            name for name in await session.scalars(select(Seller.name).where(Seller.id.in_(others)).order_by(Seller.id))
        )
        raise InvalidStateError(
            ErrorCode.SELLER_NOT_ON_ORDER, order_id=order.id, seller_name=seller.name, sellers=names or ("no seller",)
        )
    return order


async def _next_number(session: AsyncSession, column: InstrumentedAttribute[str], first: int) -> int:
    """The next sequence number of an id column of fixed width (``SIS-610001`` → 610002)."""
    last = await session.scalar(select(func.max(column)))
    if not last:
        return first
    return max(first, int(str(last).rsplit("-", 1)[1]) + 1)


def _check_quantity(quantity: object) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not MIN_STOCK <= quantity <= MAX_STOCK:
        shown = quantity if isinstance(quantity, int | float) and not isinstance(quantity, bool) else str(quantity)[:20]
        raise InvalidInputError(
            ErrorCode.LISTING_STOCK_OUT_OF_RANGE, quantity=shown, minimum=MIN_STOCK, maximum=MAX_STOCK
        )


async def _resolve_listing(session: AsyncSession, store: Seller, ref: str) -> Product:
    """One of the store's products from what the owner said (SKU, name or kind)."""
    products = list(
        await session.scalars(
            select(Product)
            .where(Product.seller_id == store.id)
            .options(selectinload(Product.variants))
            .order_by(Product.sku)
        )
    )
    names = tuple(p.name for p in products[:5])
    m = _SKU_RE.search(ref)
    if m:
        sku = f"{m.group(1).upper()}-{m.group(2)}"
        for p in products:
            if p.sku == sku:
                return p
        raise NotFoundError(ErrorCode.LISTING_NOT_FOUND, reference=ref, listings=names)
    words = _content_words(ref)
    candidates = [
        _Candidate(
            (p.name, *(f"{p.name} {variant_label(v)}" for v in p.variants if variant_label(v))),
            store.id,
            p.name,
            sku=p.sku,
            labels=(p.kind, f"{p.brand} {p.kind}"),
        )
        for p in products
    ]
    hits = _best(words, candidates, LISTING_SCORE) if words else []
    if not hits:
        raise NotFoundError(ErrorCode.LISTING_NOT_FOUND, reference=ref, listings=names)
    if len(hits) > 1:
        raise NotFoundError(
            ErrorCode.LISTING_AMBIGUOUS, reference=ref, options=tuple((h.sku or "", h.via) for h in hits[:5])
        )
    return next(p for p in products if p.sku == hits[0].sku)


def _beyond_name(ref: str, name: str) -> str:
    """The words of ``ref`` that are not in the product's ``name``."""
    named = set(utils.default_process(name).split())
    return " ".join(w for w in utils.default_process(ref).split() if w not in named and w not in _FILLER)


def _resolve_variant(product: Product, ref: str, *, required: bool = False) -> ProductVariant | None:
    """The product's variant the owner named, or its only variant (``None``: a product without variants).

    Args:
        product: The listing, variants loaded.
        ref: The variant as said ("medium blue", "paperback").
        required: ``ref`` was not said as a variant (taken from the listing's words): no match means
            "say which variant", not "no such variant".
    """
    variants = list(product.variants)
    labels = tuple(variant_label(v) or "standard" for v in variants)
    if len(variants) <= 1:
        return variants[0] if variants else None
    if not ref:
        raise InvalidInputError(ErrorCode.LISTING_VARIANT_REQUIRED, sku=product.sku, name=product.name, variants=labels)
    said = _variant_words(ref)
    scored = [(sum(_variant_attribute_said(v, said)), v) for v in variants]
    best = max(score for score, _ in scored)
    chosen = [v for score, v in scored if score == best and score > 0]
    if not chosen and required:
        raise InvalidInputError(ErrorCode.LISTING_VARIANT_REQUIRED, sku=product.sku, name=product.name, variants=labels)
    if not chosen:
        raise NotFoundError(
            ErrorCode.LISTING_VARIANT_NOT_FOUND, sku=product.sku, name=product.name, reference=ref, variants=labels
        )
    if len(chosen) > 1:
        raise InvalidInputError(
            ErrorCode.LISTING_VARIANT_REQUIRED,
            sku=product.sku,
            name=product.name,
            variants=tuple(variant_label(v) for v in chosen),
        )
    return chosen[0]


def _variant_words(ref: str) -> str:
    """The variant as said, lower-cased, with spoken sizes replaced by their letters ("medium" → "m")."""
    text = " " + " ".join(utils.default_process(ref).split()) + " "
    for words, letters in sorted(_SIZE_WORDS.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(f" {words} ", f" {letters} ")
    return text


def _variant_attribute_said(v: ProductVariant, said: str) -> list[bool]:
    """For each attribute the variant has (size, colour, format): whether the caller said it."""
    found = []
    for value in (v.size, v.colour, v.format):
        if value:
            norm = " ".join(utils.default_process(value).split())
            squashed = norm.replace(" ", "")
            found.append(
                f" {norm} " in said
                or (len(norm) > 3 and fuzz.partial_ratio(norm, said) >= 90)
                or (len(squashed) > 3 and squashed in said.replace(" ", ""))
            )
    return found


def _stock_change(store: Seller, product: Product, variant: ProductVariant | None, quantity: int) -> StockChangeView:
    old = variant.stock if variant is not None else product.stock
    label = variant_label(variant) if variant is not None else ""
    if old == quantity:
        raise InvalidInputError(
            ErrorCode.LISTING_STOCK_UNCHANGED, sku=product.sku, name=product.name, variant=label, quantity=quantity
        )
    total = sum(quantity if v is variant else v.stock for v in product.variants) if variant is not None else quantity
    return StockChangeView(
        seller_id=store.id,
        seller_name=store.name,
        sku=product.sku,
        name=product.name,
        variant_id=variant.id if variant is not None else None,
        variant=label,
        old_stock=old,
        new_stock=quantity,
        product_stock=total,
    )


def _issue_view(
    issue_id: str, seller: Seller, order_id: str | None, kind: str, text: str, status: str, at: dt.datetime
) -> SellerIssueView:
    return SellerIssueView(
        id=issue_id,
        seller_id=seller.id,
        seller_name=seller.name,
        order_id=order_id,
        kind=kind,
        description=text,
        status=status,
        created_at=at,
        respond_by=at + dt.timedelta(hours=seller.response_hours),
    )


def _message_view(
    message_id: str, seller: Seller, order_id: str | None, body: str, at: dt.datetime
) -> SellerMessageView:
    return SellerMessageView(
        id=message_id,
        seller_id=seller.id,
        seller_name=seller.name,
        order_id=order_id,
        body=body,
        created_at=at,
        reply_by=at + dt.timedelta(hours=seller.response_hours),
    )


def _payout_view(p: Payout) -> PayoutView:
    return PayoutView(
        id=p.id,
        amount_cents=p.amount_cents,
        period_start=p.period_start,
        period_end=p.period_end,
        status=p.status,
        scheduled_for=p.scheduled_for,
        paid_at=p.paid_at,
        hold_reason=p.hold_reason,
    )
