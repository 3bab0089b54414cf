"""Immutable snapshots returned by services (never live ORM objects), plus how money, dates and names are said."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


def dollars(cents: int) -> str:
    """Format integer cents as speakable dollars, e.g. ``12900`` → ``"$129.00"``."""
    return f"${cents // 100:,}.{cents % 100:02d}"


def spoken_date(value: dt.date) -> str:
    """A date as the desk says it: ``"December 8"`` (no leading zero, which speech would read as "oh eight")."""
    return f"{value:%B} {value.day}"


def spoken_weekday(value: dt.date) -> str:
    """A date with its weekday, as the desk says it: ``"Tuesday, December 8"``."""
    return f"{value:%A, %B} {value.day}"


def the(name: str, *, capital: bool = False) -> str:
    """``"the Alpine rain jacket"``, but ``"The Lighthouse Keeper"`` as it is (a name with its own article).

    Args:
        name: A product, book or store name.
        capital: Start a sentence: ``"The Alpine rain jacket"``.
    """
    if name.split(" ", 1)[0].casefold() in ("the", "a", "an"):
        return name
    return f"{'The' if capital else 'the'} {name}"


@dataclass(frozen=True)
class CustomerView:
    id: str
    first_name: str
    last_name: str
    loyalty_tier: str


@dataclass(frozen=True)
class AddressView:
    line1: str
    city: str
    region: str
    postal_code: str

    def spoken(self) -> str:
        return f"{self.line1}, {self.city}, {self.region} {self.postal_code}"


@dataclass(frozen=True)
class ItemView:
    sku: str
    name: str
    category: str
    quantity: int
    unit_price_cents: int


@dataclass(frozen=True)
class TrackingEventView:
    at: dt.datetime
    location: str
    description: str


@dataclass(frozen=True)
class OrderView:
    id: str
    status: str
    placed_at: dt.datetime
    expected_delivery: dt.date | None
    delivered_at: dt.datetime | None
    carrier: str | None
    tracking_number: str | None
    delivery_instructions: str
    items: tuple[ItemView, ...]
    charged_cents: int | None = None
    """What checkout charged (items − discount + tax + shipping); ``None`` for seeded orders."""

    @property
    def items_cents(self) -> int:
        """The items' sum (unit price × quantity)."""
        return sum(i.quantity * i.unit_price_cents for i in self.items)

    @property
    def total_cents(self) -> int:
        """What the order cost the caller: the charged total when checkout recorded one, else the items' sum."""
        return self.charged_cents if self.charged_cents is not None else self.items_cents

    def item_names(self) -> str:
        return ", ".join(i.name for i in self.items)


@dataclass(frozen=True)
class Eligibility:
    """Outcome of the return policy for one item.

    Attributes:
        eligible: Whether a return can be opened now.
        reason: One sentence explaining the verdict (speakable).
        refund_cents: Refund if returned (price minus any restocking fee); 0 when not eligible.
        deadline: Last day a return can be opened, if any.
        restocking_fee_cents: The restocking fee taken from the refund (opened items, per the category's
            ``ReturnPolicy.restocking_fee_pct``); 0 when none.
    """

    order_id: str
    sku: str
    item_name: str
    eligible: bool
    reason: str
    refund_cents: int
    deadline: dt.date | None
    restocking_fee_cents: int = 0


@dataclass(frozen=True)
class ReturnView:
    id: str
    order_id: str
    sku: str
    item_name: str
    status: str
    reason: str
    condition: str
    refund_cents: int
    pickup_date: dt.date | None
    pickup_window: str | None
    refund_method: str | None


@dataclass(frozen=True)
class TicketView:
    id: str
    priority: str
    status: str


# --- account (security, personalization) views ---


@dataclass(frozen=True)
class ChargeView:
    """A charge on the caller's card on file. ``unusual``: the processor's risk score is 70 or more."""

    id: str
    amount_cents: int
    merchant: str
    description: str
    location: str
    at: dt.datetime
    status: str
    order_id: str | None
    unusual: bool


@dataclass(frozen=True)
class SecurityCaseView:
    id: str
    kind: str
    status: str
    charge_ids: tuple[str, ...]
    disputed_cents: int
    created_at: dt.datetime


@dataclass(frozen=True)
class PasswordResetView:
    """A reset link sent; ``sent_to`` is masked (``a***@example.com``), the full address never leaves the service."""

    sent_to: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class PreferenceView:
    key: str
    value: str
    """Canonical value; ``budget_max`` is integer cents as text."""

    def spoken(self) -> str:
        """``"clothing size M"``, ``"budget up to $150.00"``."""
        if self.key == "budget_max":
            return f"budget up to {dollars(int(self.value))}"
        return f"{self.key.replace('_', ' ')} {self.value}"


@dataclass(frozen=True)
class SuggestionView:
    """A product suggested to the caller, with the reasons code found (``"you like Northpeak"``)."""

    sku: str
    name: str
    category: str
    brand: str
    price_cents: int
    rating_tenths: int
    reasons: tuple[str, ...]


# --- sellers views ---


@dataclass(frozen=True)
class SellerView:
    """A marketplace seller's public profile (what a buyer may hear about any store)."""

    id: str
    name: str
    rating_tenths: int
    """Average rating out of 5, in tenths (``47`` = 4.7)."""
    rating_count: int
    ships_from: str
    handling_days: int
    """Business days the seller takes to hand an order to the carrier."""
    response_hours: int
    """Hours within which the seller usually answers a buyer's message."""
    return_window_days: int
    contact_email: str
    policy_note: str

    @property
    def rating(self) -> str:
        """The rating as spoken, e.g. ``"4.7"``."""
        return f"{self.rating_tenths // 10}.{self.rating_tenths % 10}"


@dataclass(frozen=True)
class SellerMatch:
    """A seller reference resolved by code (:meth:`services.sellers.SellerService.find_seller`).

    Attributes:
        seller: The seller.
        via: What led to it when the caller did not name the store: a product name
            (``"Brass desk lamp"``), else ``""``.
        order_id: The caller's order the reference went through (``"the seller of my lamp"``), if any.
        sku: The product the reference went through, if any.
    """

    seller: SellerView
    via: str = ""
    order_id: str | None = None
    sku: str | None = None


@dataclass(frozen=True)
class SellerIssueView:
    """A buyer's dispute with a seller (``SIS-610001``)."""

    id: str
    seller_id: str
    seller_name: str
    order_id: str | None
    kind: str
    description: str
    status: str
    created_at: dt.datetime
    respond_by: dt.datetime
    """When the seller is due to answer (created + the seller's response hours)."""


@dataclass(frozen=True)
class SellerMessageView:
    """A buyer's message relayed to a seller (``MSG-620001``)."""

    id: str
    seller_id: str
    seller_name: str
    order_id: str | None
    body: str
    created_at: dt.datetime
    reply_by: dt.datetime
    """When the seller usually replies (sent + the seller's response hours)."""


@dataclass(frozen=True)
class LowStockView:
    """One listing variant at or under the low-stock threshold."""

    sku: str
    name: str
    variant: str
    """``"size M, blue"``, ``"paperback"``, or ``""`` for a single-variant product."""
    stock: int


@dataclass(frozen=True)
class StorePerformanceView:
    """A store's figures over the last ``days`` days (orders placed in that period, cancelled ones excluded)."""

    seller_id: str
    seller_name: str
    days: int
    orders: int
    units_sold: int
    revenue_cents: int
    rating_tenths: int
    rating_count: int
    listings: int
    open_disputes: int
    late_shipments: int
    """Orders with the store's items still processing past the store's handling time."""
    low_stock: tuple[LowStockView, ...]


@dataclass(frozen=True)
class PayoutView:
    id: str
    amount_cents: int
    period_start: dt.date
    period_end: dt.date
    status: str
    """``scheduled``, ``paid`` or ``on_hold``."""
    scheduled_for: dt.date
    paid_at: dt.datetime | None
    hold_reason: str


@dataclass(frozen=True)
class PayoutStatusView:
    """A store's payouts: the last one paid, the next one scheduled, and any on hold."""

    seller_id: str
    seller_name: str
    last_paid: PayoutView | None
    next_scheduled: PayoutView | None
    on_hold: tuple[PayoutView, ...]


@dataclass(frozen=True)
class StockChangeView:
    """A stock change of one listing variant of the caller's store (planned, or done)."""

    seller_id: str
    seller_name: str
    sku: str
    name: str
    variant_id: int | None
    """``None`` for a product without variants (its own stock is changed)."""
    variant: str
    """``"size M, blue"``, ``"paperback"``, or ``""`` for a single-variant product."""
    old_stock: int
    new_stock: int
    product_stock: int
    """The product's total over its variants after the change."""


# --- advanced features views ---


def percent_off(cents: int, pct: int) -> int:
    """``cents`` less ``pct`` percent, rounded half up to the cent (e.g. ``1899`` less 5 % → ``1804``)."""
    return (cents * (100 - pct) + 50) // 100


@dataclass(frozen=True)
class WishlistEntryView:
    """A product on the caller's wishlist, with its current price (main variant's price) and stock."""

    sku: str
    name: str
    price_cents: int
    in_stock: bool
    added_at: dt.datetime


@dataclass(frozen=True)
class PriceAlertView:
    """A price-drop alert of the caller, with the product's current price."""

    id: str
    sku: str
    product_name: str
    target_price_cents: int
    current_price_cents: int
    price_when_set_cents: int
    active: bool
    created_at: dt.datetime

    @property
    def triggered(self) -> bool:
        """The alert is active and the current price is at or below the target."""
        return self.active and self.current_price_cents <= self.target_price_cents


@dataclass(frozen=True)
class SubscriptionView:
    """A subscribe-and-save subscription of the caller (prices at the product's current price)."""

    id: str
    sku: str
    product_name: str
    variant: str
    """``"12 oz bag"``, ``"size M, blue"``, or ``""`` for a single-variant product."""
    quantity: int
    every_weeks: int
    discount_pct: int
    unit_price_cents: int
    status: str
    """``active``, ``paused`` or ``cancelled``."""
    next_delivery: dt.date

    @property
    def price_per_delivery_cents(self) -> int:
        """Quantity × the current unit price, less the subscription discount."""
        return percent_off(self.unit_price_cents * self.quantity, self.discount_pct)


@dataclass(frozen=True)
class SubscriptionQuoteView:
    """A subscription the caller could start (checked, not written).

    Attributes:
        discount_reason: ``"gold"`` (loyalty tier), ``"five_or_more"`` (active subscriptions) or ``"standard"``.
    """

    sku: str
    product_name: str
    variant_id: int | None
    variant: str
    quantity: int
    every_weeks: int
    discount_pct: int
    discount_reason: str
    unit_price_cents: int
    first_delivery: dt.date

    @property
    def price_per_delivery_cents(self) -> int:
        return percent_off(self.unit_price_cents * self.quantity, self.discount_pct)


@dataclass(frozen=True)
class BundleItemView:
    sku: str
    name: str
    price_cents: int
    in_stock: bool


@dataclass(frozen=True)
class BundleView:
    """Products sold together; the bundle price is the items' current prices less ``discount_pct``."""

    id: str
    name: str
    items: tuple[BundleItemView, ...]
    discount_pct: int

    @property
    def list_price_cents(self) -> int:
        return sum(i.price_cents for i in self.items)

    @property
    def price_cents(self) -> int:
        return percent_off(self.list_price_cents, self.discount_pct)

    @property
    def savings_cents(self) -> int:
        return self.list_price_cents - self.price_cents


@dataclass(frozen=True)
class ReturnPolicyView:
    """One row of the marketplace return policy (``return_policies``)."""

    category: str
    window_days: int
    returnable: bool
    defective_window_days: int
    restocking_fee_pct: int
    note: str


@dataclass(frozen=True)
class CaseFactsView:
    """What the supervisor may be told about the verified caller (no identity data: no name, phone,
    address, date of birth, card or SSN digits)."""

    today: dt.date
    loyalty_tier: str
    orders: tuple[OrderView, ...]
    returns: tuple[ReturnView, ...]
    policies: tuple[ReturnPolicyView, ...]
    subscriptions: tuple[SubscriptionView, ...]


# --- commerce (cart, checkout, promotions) views ---


@dataclass(frozen=True)
class CartLineView:
    """One line of the caller's cart, at the variant's current price.

    Attributes:
        variant_id: The product variant (``product_variants.id``).
        size: Clothing size, ``colour`` and book ``format`` of the variant (``""`` when not applicable).
        unit_price_cents: The variant's price now.
        quantity: Units in the cart.
        stock: Units the marketplace has now.
    """

    variant_id: int
    sku: str
    name: str
    category: str
    size: str
    colour: str
    format: str
    unit_price_cents: int
    quantity: int
    stock: int

    @property
    def line_total_cents(self) -> int:
        return self.unit_price_cents * self.quantity

    @property
    def variant_label(self) -> str:
        """``"size M, blue"`` (clothing), ``"128 GB, black"``, ``"hardcover"``, or ``""`` without choices."""
        size = f"size {self.size}" if self.size and self.category == "fashion" else self.size
        return ", ".join(p for p in (size, self.colour, self.format) if p)

    def spoken(self) -> str:
        """``"1 Alpine rain jacket, size M, blue"``; a choice the name already says is not repeated
        (``"1 The Lighthouse Keeper, hardcover"``)."""
        extra = [p for p in self.variant_label.split(", ") if p and p.casefold() not in self.name.casefold()]
        return f"{self.quantity} {self.name}{', ' + ', '.join(extra) if extra else ''}"


@dataclass(frozen=True)
class PromotionView:
    """A promotion and its rules (``promotions``); ``value`` is a percentage or cents (``kind``)."""

    code: str
    description: str
    kind: str
    value: int
    category: str | None
    min_spend_cents: int
    membership_tier: str | None
    starts_on: dt.date
    ends_on: dt.date
    max_discount_cents: int | None

    def terms(self) -> str:
        """``"10% off everything, up to $50.00 off"``, ``"$20.00 off orders of $100.00 or more"``."""
        off = f"{self.value}% off" if self.kind == "percent" else f"{dollars(self.value)} off"
        scope = f" {self.category.replace('_', ' ')} items" if self.category else " everything"
        if self.min_spend_cents:
            scope = (
                f" {self.category.replace('_', ' ')} items of {dollars(self.min_spend_cents)} or more"
                if self.category
                else f" orders of {dollars(self.min_spend_cents)} or more"
            )
        cap = f", up to {dollars(self.max_discount_cents)} off" if self.max_discount_cents else ""
        tier = f", {self.membership_tier} members only" if self.membership_tier else ""
        return f"{off}{scope}{cap}{tier}"


@dataclass(frozen=True)
class PromotionCheck:
    """A promotion's rules applied to the caller's cart (:func:`services.promotions.evaluate`).

    Attributes:
        eligible: Every rule passed.
        eligible_subtotal_cents: Subtotal of the cart lines the promotion counts (its category, or all).
        discount_cents: What it takes off now (0 when not eligible).
        capped: The discount was limited by the promotion's cap.
        failed_rule: The :class:`~services.errors.ErrorCode` value of the first rule that failed, or ``None``.
        facts: The details of that rule's error (see the code's docstring), empty when eligible.
    """

    promotion: PromotionView
    eligible: bool
    eligible_subtotal_cents: int
    discount_cents: int
    capped: bool
    failed_rule: str | None
    facts: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class CartView:
    """The caller's cart with every total decided by :mod:`services.cart`, in cents.

    Attributes:
        promotion: The promotion on the cart, evaluated now (it may no longer be eligible: then its
            discount is 0 and checkout places the order without it).
        tax_region: The state the tax rate was taken from (the shipping address), ``""`` without one.
        tax_rate_mpct: The rate in thousandths of a percent (``7250`` is 7.25%).
        free_shipping: Why shipping is free (``"gold member"``, ``"order over $35.00"``...), or ``""``.
        total_cents: ``subtotal - discount + tax + shipping``.
    """

    lines: tuple[CartLineView, ...]
    subtotal_cents: int
    promotion: PromotionCheck | None
    discount_cents: int
    tax_region: str
    tax_rate_mpct: int
    tax_cents: int
    shipping_cents: int
    free_shipping: str
    total_cents: int
    address: AddressView | None
    loyalty_tier: str

    @property
    def empty(self) -> bool:
        return not self.lines

    @property
    def tax_rate_text(self) -> str:
        """``"7.25%"``, ``"6.875%"``, ``"0%"``."""
        whole, rest = divmod(self.tax_rate_mpct, 1000)
        return f"{whole}.{rest:03d}".rstrip("0").rstrip(".") + "%"


@dataclass(frozen=True)
class PlacedOrderView:
    """An order placed by checkout: what was bought and charged to the card on file."""

    order_id: str
    charge_id: str
    lines: tuple[CartLineView, ...]
    subtotal_cents: int
    discount_cents: int
    promo_code: str | None
    tax_cents: int
    shipping_cents: int
    total_cents: int
    expected_delivery: dt.date
    address: AddressView


# --- catalogue views (services.catalog) ---


@dataclass(frozen=True)
class VariantView:
    """One buyable variant of a product: a size and colour, a book format, or the only variant.

    Attributes:
        id: ``product_variants.id`` (carts and orders refer to it).
        size: ``"M"``, ``"32"``, ``"9.5"``, ``"128 GB"`` or ``""``.
        colour: ``"navy"`` or ``""``.
        format: Books: ``hardcover``, ``paperback``, ``ebook``, ``audiobook``; else ``""``.
        price_cents: Price of this variant.
        stock: Units available (digital formats carry a large stock).
    """

    id: int
    sku: str
    size: str
    colour: str
    format: str
    price_cents: int
    stock: int

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    def label(self) -> str:
        """Speakable variant, e.g. ``"size M, navy"``, ``"hardcover"``, ``""`` for a product's only variant."""
        parts = [f"size {self.size}" if self.size and not self.size.endswith("GB") else self.size, self.colour,
                 self.format]  # fmt: skip
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class ProductView:
    """A catalogue product with its variants (the first five fields are the summary of a search hit).

    Attributes:
        price_cents: Price of the main variant (variants may differ: book formats, phone storage).
        in_stock: At least one variant is in stock.
        stock: Units over all variants.
        kind: What it is within its category (``sofa``, ``charger``, ``rain jacket``, ``novel``).
        rating_tenths: Average rating out of 5, in tenths (``46`` = 4.6).
        seller_id / seller_name: The store selling it.
        attributes: Category facts (read-only; keys in :mod:`services.catalog_seed`).
        variants: Every variant, in seeding order (the first is the main one).
    """

    sku: str
    name: str
    category: str
    price_cents: int
    in_stock: bool
    stock: int = 0
    brand: str = ""
    kind: str = ""
    description: str = ""
    rating_tenths: int = 0
    seller_id: str | None = None
    seller_name: str = ""
    attributes: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), compare=False)
    variants: tuple[VariantView, ...] = ()

    @property
    def title(self) -> str:
        """A book's title (``attributes["title"]``), else the product name."""
        return str(self.attributes.get("title") or self.name)

    @property
    def author(self) -> str:
        return str(self.attributes.get("author") or "")

    @property
    def from_price_cents(self) -> int:
        """The lowest price over the variants (a book's ebook, a phone's smallest storage)."""
        return min((v.price_cents for v in self.variants), default=self.price_cents)

    def spoken(self) -> str:
        """How the desk names it: ``"The Lighthouse Keeper by Eleanor Vance"``, ``"Alpine rain jacket by Northwind"``"""
        if self.category == "books":
            return f"{self.title} by {self.author}" if self.author else self.title
        return (
            f"{self.name} by {self.brand}"
            if self.brand and self.brand.casefold() not in self.name.casefold()
            else (self.name)
        )

    def options(self, dimension: str) -> tuple[str, ...]:
        """Distinct values of ``size``, ``colour`` or ``format`` over the variants, in order (empty ones left out)."""
        seen: dict[str, None] = {}
        for v in self.variants:
            value = getattr(v, dimension)
            if value:
                seen.setdefault(value, None)
        return tuple(seen)


@dataclass(frozen=True)
class SearchHit:
    """A search result.

    Attributes:
        score: Weighted share of the query's words the product matched, 0–100.
        precision: Share of the product's own name words the query matched, 0–1 (1: the caller said its
            whole name, e.g. "27-inch 4K monitor" for ``ELC-3002`` rather than a longer monitor name).
    """

    product: ProductView
    score: float
    precision: float = 0.0


@dataclass(frozen=True)
class DimensionsView:
    """Size facts of a home product, for delivery and placement.

    Attributes:
        width_in / depth_in / height_in: Outer dimensions in inches.
        weight_lb: Shipping weight of the piece; weight_capacity_lb its rated load (0: not applicable).
        assembly_minutes: 0 when delivered assembled.
        clearance_front_in / clearance_back_in / clearance_sides_in: Free floor needed around it (0 if none).
        clearance_note: Where the clearance comes from ("a 36 in walkway in front of the seat").
        needs_length_in / needs_width_in: Footprint including clearance (width + sides, depth + front + back).
        through_doorway: Fits a standard 32 in doorway as delivered (``None``: ships flat-packed).
        room: The room type asked about (normalised), ``""`` if none; room_suited whether the piece is meant for it.
    """

    sku: str
    name: str
    kind: str
    width_in: int
    depth_in: int
    height_in: int
    weight_lb: int
    weight_capacity_lb: int
    assembly_required: bool
    assembly_minutes: int
    materials: tuple[str, ...]
    rooms: tuple[str, ...]
    clearance_front_in: int
    clearance_back_in: int
    clearance_sides_in: int
    clearance_note: str
    needs_length_in: int
    needs_width_in: int
    through_doorway: bool | None
    room: str = ""
    room_suited: bool | None = None


@dataclass(frozen=True)
class RoomFitView:
    """Whether a piece with its clearance fits a rectangular room.

    Attributes:
        fits: The footprint plus clearance fits the floor in at least one orientation.
        reason: One speakable sentence with the figures.
        needs_length_in / needs_width_in: Footprint including clearance, inches.
        room_length_in / room_width_in: The room, inches.
        spare_in: Smallest margin left in the best orientation (negative: short by that much).
        floor_share_pct: Share of the floor the footprint (with clearance) takes.
    """

    sku: str
    name: str
    fits: bool
    reason: str
    needs_length_in: int
    needs_width_in: int
    room_length_in: int
    room_width_in: int
    spare_in: int
    floor_share_pct: int


@dataclass(frozen=True)
class SpecRow:
    """One compared fact: its label and the value of each product, in the order compared."""

    label: str
    values: tuple[str, ...]

    @property
    def differs(self) -> bool:
        return len(set(self.values)) > 1


@dataclass(frozen=True)
class ComparisonView:
    """Two or three products side by side: the rows that differ first, then those that are the same."""

    products: tuple[ProductView, ...]
    rows: tuple[SpecRow, ...]

    @property
    def differences(self) -> tuple[SpecRow, ...]:
        return tuple(r for r in self.rows if r.differs)

    @property
    def same(self) -> tuple[SpecRow, ...]:
        return tuple(r for r in self.rows if not r.differs)


@dataclass(frozen=True)
class CompatibilityView:
    """Whether two electronics products work together, from their structured specs.

    Attributes:
        compatible: They work together (possibly with the caveat).
        reason: One speakable sentence: the port/connector, wattage or wireless standard that decides it.
        caveat: What the caller needs to know or buy besides ("needs a USB-C to Lightning cable"), or ``""``.
    """

    first: ProductView
    second: ProductView
    compatible: bool
    reason: str
    caveat: str = ""


@dataclass(frozen=True)
class SizeChartRow:
    """One size of a brand's chart: measurement name → (low, high) inches."""

    size: str
    ranges: tuple[tuple[str, float, float], ...]


@dataclass(frozen=True)
class SizeAdviceView:
    """A size recommendation for one garment from the caller's measurements and the brand's chart.

    Attributes:
        size: The recommended size, or ``None`` when no measurement was given (the chart only).
        reason: Why (speakable), e.g. "A 39 in chest is Cobalt Thread's L (39-41 in); this brand runs small."
        fit_note: The brand's fit ("runs small; between sizes, size up").
        chart: The chart rows of the garment type, smallest first.
        offered: The item is made in that size.
        colours_in_stock: Colours of the item in stock in that size.
    """

    sku: str
    name: str
    brand: str
    garment: str
    size: str | None
    reason: str
    fit_note: str
    chart: tuple[SizeChartRow, ...]
    offered: bool
    colours_in_stock: tuple[str, ...]


@dataclass(frozen=True)
class RelatedProductView:
    """A product suggested beside another (similar item, next in a series, something that goes with it)."""

    product: ProductView
    reason: str


@dataclass(frozen=True)
class StyleAdviceView:
    """What goes with a fashion item: colours that pair with it and products of complementary kinds."""

    item: ProductView
    colours: tuple[str, ...]
    suggestions: tuple[RelatedProductView, ...]
