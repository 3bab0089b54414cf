"""SellerService: seller references resolved by code, disputes and messages under their rules, and the
store tools scoped to the store the caller owns.

Seeded at Wednesday 2026-11-18 15:00 (see :mod:`services.seller_seed` and :mod:`services.catalog_seed`):
Marcus (CUS-1002) owns SEL-1001 Lakeside Home Goods, Priya (CUS-1003) owns SEL-1002 Raman Books & Prints,
Ava (CUS-1001) owns no store. Ava's novel BOK-1001 (ORD-100103, delivered 2026-10-04) was sold by Raman
Books & Prints, her jacket (ORD-100101) by Northwind Outfitters, her headphones (ORD-100102, in transit,
expected 2026-11-20) by Northbeam Audio.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from services import InvalidInputError, InvalidStateError, NotFoundError, ServiceError, Services
from services.demo_data import AVA, MARCUS, PRIYA
from services.errors import ErrorCode
from services.seller_seed import MARCUS_STORE, PRIYA_HOLD_REASON, PRIYA_STORE, SEEDED_ISSUE_ID
from services.sellers import LOW_STOCK_UNITS, MAX_STOCK, MESSAGES_PER_SELLER_PER_DAY
from worker.testing import FIXED_NOW

pytestmark = pytest.mark.unit

Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]
OpenAt = Callable[..., Awaitable[Services]]
NORTHWIND = "SEL-1013"
NORTHBEAM = "SEL-1010"
HEARTHSIDE = "SEL-1003"


def facts(err: ServiceError) -> tuple[ErrorCode, dict[str, Any]]:
    return err.code, dict(err.details)


# ---------------------------------------------------------------------------------------------- lookups


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("reference", "seller"),
    [
        ("Lakeside Home Goods", MARCUS_STORE),
        ("lakeside", MARCUS_STORE),
        ("lake side home", MARCUS_STORE),
        ("Lakesid Hom Goods", MARCUS_STORE),
        ("ramen books and prints", PRIYA_STORE),
        ("SEL-1013", NORTHWIND),
        ("sel 1013", NORTHWIND),
        ("north wind outfitters", NORTHWIND),
        ("HOM-4002", MARCUS_STORE),
        ("the brass desk lamp", HEARTHSIDE),
        ("the lighthouse keeper", PRIYA_STORE),
    ],
)
async def test_a_seller_is_found_by_name_misheard_id_or_product(
    services: Services, reference: str, seller: str
) -> None:
    match = await services.sellers.find_seller(reference)
    assert match.seller.id == seller
    assert match.order_id is None, "an unverified lookup never goes through anyone's orders"


@pytest.mark.asyncio
async def test_the_seller_of_my_novel_goes_through_the_callers_own_order(services: Services) -> None:
    for reference in ("the seller of my novel", "the book I bought", "order 100103", "ORD-100103"):
        match = await services.sellers.find_seller(reference, customer_id=AVA.id)
        assert (match.seller.id, match.via, match.order_id, match.sku) == (
            PRIYA_STORE,
            "The Lighthouse Keeper, hardcover",
            "ORD-100103",
            "BOK-1001",
        ), reference
    jacket = await services.sellers.find_seller("my jacket", customer_id=AVA.id)
    assert (jacket.seller.name, jacket.order_id) == ("Northwind Outfitters", "ORD-100101")
    # Marcus's lamp was sold by another store than his own.
    lamp = await services.sellers.find_seller("my lamp", customer_id=MARCUS.id)
    assert (lamp.seller.id, lamp.order_id) == (HEARTHSIDE, "ORD-100202")


@pytest.mark.asyncio
async def test_own_references_need_the_caller_and_never_reach_other_customers(services: Services) -> None:
    with pytest.raises(NotFoundError) as unverified:
        await services.sellers.find_seller("the seller of my novel")
    assert facts(unverified.value) == (ErrorCode.SELLER_NOT_FOUND, {"reference": "the seller of my novel"})
    with pytest.raises(NotFoundError) as foreign:
        await services.sellers.find_seller("order 100201", customer_id=AVA.id)
    assert facts(foreign.value) == (ErrorCode.ORDER_NOT_FOUND, {"order_id": "ORD-100201"})
    with pytest.raises(NotFoundError) as no_store:
        await services.sellers.find_seller("my store", customer_id=AVA.id)
    assert facts(no_store.value) == (ErrorCode.NO_SELLER_STORE, {"customer_id": AVA.id})
    assert (await services.sellers.find_seller("my store", customer_id=MARCUS.id)).seller.id == MARCUS_STORE


@pytest.mark.asyncio
async def test_ambiguous_and_unknown_references_are_refused_with_the_choices(services: Services) -> None:
    with pytest.raises(NotFoundError) as books:
        await services.sellers.find_seller("books")
    code, details = facts(books.value)
    assert code is ErrorCode.SELLER_AMBIGUOUS
    assert ("Raman Books & Prints", "") in details["options"] and len(details["options"]) > 1
    with pytest.raises(NotFoundError) as lamp:
        await services.sellers.find_seller("lamp")
    assert ("Hearthside Living", "Brass desk lamp") in lamp.value.details["options"]
    for unknown in ("zzqx", "SEL-9999", "HOM-9999"):
        with pytest.raises(NotFoundError) as missing:
            await services.sellers.find_seller(unknown)
        assert missing.value.code is ErrorCode.SELLER_NOT_FOUND


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("reference", "code"),
    [
        ("", ErrorCode.FIELD_MISSING),
        ("x" * 121, ErrorCode.FIELD_TOO_LONG),
        ("bad\x00name", ErrorCode.TEXT_NOT_ENCODABLE),
    ],
)
async def test_malformed_references_are_refused(services: Services, reference: str, code: ErrorCode) -> None:
    with pytest.raises(InvalidInputError) as err:
        await services.sellers.find_seller(reference)
    assert err.value.code is code and err.value.details["field"] == "seller"


@pytest.mark.asyncio
async def test_seller_profile_comes_from_the_catalogue_seed(services: Services) -> None:
    raman = await services.sellers.get_seller(PRIYA_STORE)
    assert (raman.name, raman.rating, raman.rating_count, raman.ships_from) == (
        "Raman Books & Prints",
        "4.8",
        204,
        "Seattle, WA",
    )
    assert (raman.handling_days, raman.response_hours, raman.return_window_days) == (1, 8, 30)
    assert raman.contact_email == "support@ramanbooksandprints.example.com"


# --------------------------------------------------------------------------------------------- disputes


@pytest.mark.asyncio
async def test_a_dispute_is_checked_then_opened_once_per_order_and_seller(services: Services, query: Query) -> None:
    args: dict[str, Any] = {"order_id": "ORD-100103", "kind": "not_as_described", "description": "Pages missing"}
    draft = await services.sellers.check_seller_issue(AVA.id, PRIYA_STORE, **args)
    assert (draft.id, draft.seller_name, draft.order_id) == ("", "Raman Books & Prints", "ORD-100103")
    assert await query(services, "select count(*) from seller_issues") == [(1,)], "a check writes nothing"

    issue = await services.sellers.report_seller_issue(AVA.id, PRIYA_STORE, **args)

    assert (issue.id, issue.respond_by) == ("SIS-610002", FIXED_NOW + dt.timedelta(hours=8))
    assert await query(services, "select * from seller_issues where id = 'SIS-610002'") == [
        (
            "SIS-610002",
            AVA.id,
            PRIYA_STORE,
            "ORD-100103",
            "not_as_described",
            "Pages missing",
            "open",
            "2026-11-18 15:00:00.000000",
        )
    ]
    with pytest.raises(InvalidStateError) as again:
        await services.sellers.report_seller_issue(AVA.id, PRIYA_STORE, **{**args, "kind": "counterfeit"})
    assert facts(again.value) == (
        ErrorCode.SELLER_ISSUE_ALREADY_OPEN,
        {"issue_id": "SIS-610002", "seller_name": "Raman Books & Prints", "order_id": "ORD-100103"},
    )
    # Without an order, one open dispute per seller too; another seller is another dispute.
    other = await services.sellers.report_seller_issue(
        AVA.id, PRIYA_STORE, order_id=None, kind="seller_unresponsive", description="No answer in a week"
    )
    assert other.id == "SIS-610003"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("seller", "order", "kind", "code", "details"),
    [
        (
            MARCUS_STORE,
            "ORD-100103",
            "not_as_described",
            ErrorCode.SELLER_NOT_ON_ORDER,
            {"order_id": "ORD-100103", "seller_name": "Lakeside Home Goods", "sellers": ("Raman Books & Prints",)},
        ),
        (MARCUS_STORE, "ORD-100301", "other", ErrorCode.ORDER_NOT_FOUND, {"order_id": "ORD-100301"}),
        (PRIYA_STORE, "ORD-999999", "other", ErrorCode.ORDER_NOT_FOUND, {"order_id": "ORD-999999"}),
        (
            NORTHWIND,
            None,
            "not_received",
            ErrorCode.SELLER_ISSUE_NEEDS_ORDER,
            {"kind": "not_received", "seller_name": "Northwind Outfitters"},
        ),
        (
            NORTHBEAM,
            "ORD-100102",
            "not_received",
            ErrorCode.NOT_LATE,
            {"order_id": "ORD-100102", "expected": dt.date(2026, 11, 20)},
        ),
        (
            NORTHBEAM,
            "ORD-100102",
            "counterfeit",
            ErrorCode.NOT_DELIVERED,
            {"order_id": "ORD-100102", "status": "in_transit", "issue_kind": "counterfeit"},
        ),
        (
            NORTHWIND,
            "ORD-100101",
            "rude",
            ErrorCode.SELLER_ISSUE_KIND_UNKNOWN,
            {
                "kind": "rude",
                "kinds": ("not_as_described", "not_received", "seller_unresponsive", "counterfeit", "other"),
            },
        ),
        ("SEL-9999", None, "other", ErrorCode.SELLER_NOT_FOUND, {"reference": "SEL-9999"}),
    ],
)
async def test_dispute_rules_refuse_and_write_nothing(
    services: Services,
    query: Query,
    seller: str,
    order: str | None,
    kind: str,
    code: ErrorCode,
    details: dict[str, Any],
) -> None:
    with pytest.raises(ServiceError) as err:
        await services.sellers.report_seller_issue(AVA.id, seller, order_id=order, kind=kind, description="Bad")
    assert facts(err.value) == (code, details)
    assert await query(services, "select id from seller_issues") == [(SEEDED_ISSUE_ID,)]


@pytest.mark.asyncio
async def test_dispute_description_is_bounded(services: Services) -> None:
    with pytest.raises(InvalidInputError) as err:
        await services.sellers.report_seller_issue(
            AVA.id, PRIYA_STORE, order_id="ORD-100103", kind="other", description="x" * 301
        )
    assert facts(err.value) == (
        ErrorCode.FIELD_TOO_LONG,
        {"field": "issue description", "max_len": 300, "length": 301},
    )


# --------------------------------------------------------------------------------------------- messages


@pytest.mark.asyncio
async def test_messages_are_logged_with_the_sellers_reply_time_and_limited_per_day(
    services: Services, open_at: OpenAt, query: Query
) -> None:
    seeded = await query(services, "select id, customer_id, seller_id, order_id, status from seller_messages")
    assert [row[0] for row in seeded] == ["MSG-620001"]
    first = await services.sellers.contact_seller(
        AVA.id, NORTHWIND, message="Is it seam-sealed?", order_id="ORD-100101"
    )
    assert (first.id, first.seller_name, first.reply_by) == (
        "MSG-620002",
        "Northwind Outfitters",
        FIXED_NOW + dt.timedelta(hours=12),
    )
    for _ in range(MESSAGES_PER_SELLER_PER_DAY - 1):
        await services.sellers.contact_seller(AVA.id, NORTHWIND, message="One more thing", order_id=None)
    with pytest.raises(InvalidStateError) as limit:
        await services.sellers.check_message(AVA.id, NORTHWIND, message="And another", order_id=None)
    assert facts(limit.value) == (
        ErrorCode.SELLER_MESSAGE_LIMIT,
        {"seller_name": "Northwind Outfitters", "limit": MESSAGES_PER_SELLER_PER_DAY},
    )
    # Another seller, or the next day, is fine.
    await services.sellers.contact_seller(AVA.id, PRIYA_STORE, message="Signed copies?", order_id=None)
    tomorrow = await open_at(FIXED_NOW + dt.timedelta(days=1))
    late = await tomorrow.sellers.contact_seller(AVA.id, NORTHWIND, message="Any news?", order_id=None)
    assert late.id == "MSG-620006"
    assert await query(
        services, "select id, customer_id, seller_id, order_id, status from seller_messages order by id"
    ) == [
        *seeded,
        ("MSG-620002", AVA.id, NORTHWIND, "ORD-100101", "relayed"),
        ("MSG-620003", AVA.id, NORTHWIND, None, "relayed"),
        ("MSG-620004", AVA.id, NORTHWIND, None, "relayed"),
        ("MSG-620005", AVA.id, PRIYA_STORE, None, "relayed"),
        ("MSG-620006", AVA.id, NORTHWIND, None, "relayed"),
    ]


@pytest.mark.asyncio
async def test_a_message_about_an_order_needs_the_callers_order_of_that_seller(services: Services) -> None:
    with pytest.raises(NotFoundError) as foreign:
        await services.sellers.contact_seller(AVA.id, MARCUS_STORE, message="Hi", order_id="ORD-100301")
    assert foreign.value.code is ErrorCode.ORDER_NOT_FOUND
    with pytest.raises(InvalidStateError) as wrong:
        await services.sellers.contact_seller(AVA.id, MARCUS_STORE, message="Hi", order_id="ORD-100101")
    assert facts(wrong.value)[1]["sellers"] == ("Northwind Outfitters",)
    with pytest.raises(InvalidInputError) as huge:
        await services.sellers.contact_seller(AVA.id, MARCUS_STORE, message="x" * 100_000, order_id=None)
    assert huge.value.code is ErrorCode.FIELD_TOO_LONG


# ----------------------------------------------------------------------------------------- store owners


@pytest.mark.asyncio
async def test_store_tools_refuse_a_caller_who_owns_no_store(services: Services) -> None:
    for call in (
        services.sellers.get_store_performance(AVA.id),
        services.sellers.get_payout_status(AVA.id),
        services.sellers.plan_stock_update(AVA.id, "skillet", quantity=5),
        services.sellers.update_listing_stock(AVA.id, "HOM-4002", variant_id=3, quantity=5),
    ):
        with pytest.raises(NotFoundError) as err:
            await call
        assert facts(err.value) == (ErrorCode.NO_SELLER_STORE, {"customer_id": AVA.id})


@pytest.mark.asyncio
async def test_store_performance_is_computed_from_the_stores_order_lines(services: Services, query: Query) -> None:
    perf = await services.sellers.get_store_performance(MARCUS.id)

    since = "2026-10-19 15:00:00"
    [(orders, units, revenue)] = await query(
        services,
        "select count(distinct o.id), coalesce(sum(i.quantity), 0), coalesce(sum(i.quantity * i.unit_price_cents), 0) "
        "from orders o join order_items i on i.order_id = o.id join products p on p.sku = i.sku "
        "where p.seller_id = :s and o.placed_at >= :since and o.status != 'cancelled'",
        s=MARCUS_STORE,
        since=dt.datetime.fromisoformat(since),
    )
    assert (perf.seller_id, perf.seller_name, perf.days) == (MARCUS_STORE, "Lakeside Home Goods", 30)
    assert (perf.orders, perf.units_sold, perf.revenue_cents) == (orders, units, revenue)
    # Priya's skillet (ORD-100301) was bought from Marcus's store; two filler orders wait past the 2 handling days.
    assert perf.orders >= 1 and perf.revenue_cents >= 4500
    assert (perf.rating_tenths, perf.rating_count, perf.open_disputes, perf.late_shipments) == (46, 312, 1, 2)
    assert all(v.stock <= LOW_STOCK_UNITS for v in perf.low_stock)
    assert [v.stock for v in perf.low_stock] == sorted(v.stock for v in perf.low_stock)
    assert ("HOM-4007", "Fenwick arc floor lamp", "brass", 1) in [
        (v.sku, v.name, v.variant, v.stock) for v in perf.low_stock
    ]
    assert {v.sku[:3] for v in perf.low_stock} == {"HOM"}, "only the store's own listings"


@pytest.mark.asyncio
async def test_payout_status_of_each_owner_is_their_stores_only(services: Services) -> None:
    marcus = await services.sellers.get_payout_status(MARCUS.id)
    assert marcus.seller_id == MARCUS_STORE
    assert marcus.last_paid is not None and marcus.next_scheduled is not None
    assert (marcus.last_paid.id, marcus.last_paid.amount_cents, marcus.last_paid.paid_at) == (
        "PAY-630003",
        196840,
        dt.datetime(2026, 11, 13, 12),
    )
    assert (marcus.next_scheduled.id, marcus.next_scheduled.scheduled_for) == ("PAY-630004", dt.date(2026, 11, 27))
    assert marcus.on_hold == ()

    priya = await services.sellers.get_payout_status(PRIYA.id)
    assert priya.last_paid is not None and priya.next_scheduled is not None
    assert (priya.last_paid.id, priya.next_scheduled.id) == ("PAY-630005", "PAY-630007")
    assert [(p.id, p.amount_cents, p.hold_reason) for p in priya.on_hold] == [("PAY-630006", 74890, PRIYA_HOLD_REASON)]


@pytest.mark.asyncio
async def test_stock_update_is_planned_then_written_with_the_product_total_and_a_log(
    services: Services, query: Query
) -> None:
    plan = await services.sellers.plan_stock_update(MARCUS.id, "the navy harbor sofa", variant="navy", quantity=6)
    assert (plan.sku, plan.variant, plan.old_stock, plan.new_stock, plan.product_stock) == (
        "HOM-4003",
        "navy",
        1,
        6,
        10,
    )
    assert await query(services, "select stock from products where sku = 'HOM-4003'") == [(5,)], (
        "planning writes nothing"
    )

    done = await services.sellers.update_listing_stock(MARCUS.id, plan.sku, variant_id=plan.variant_id, quantity=6)

    assert done == plan
    assert await query(services, "select colour, stock from product_variants where sku = 'HOM-4003' order by id") == [
        ("grey", 4),
        ("navy", 6),
    ]
    assert await query(services, "select stock from products where sku = 'HOM-4003'") == [(10,)]
    assert await query(
        services, "select seller_id, sku, variant_id, old_stock, new_stock, changed_by from listing_stock_changes"
    ) == [(MARCUS_STORE, "HOM-4003", plan.variant_id, 1, 6, MARCUS.id)]


@pytest.mark.asyncio
async def test_book_formats_are_variants_of_the_owners_listing(services: Services) -> None:
    with pytest.raises(InvalidInputError) as which:
        await services.sellers.plan_stock_update(PRIYA.id, "lighthouse keeper", quantity=5)
    assert facts(which.value) == (
        ErrorCode.LISTING_VARIANT_REQUIRED,
        {
            "sku": "BOK-1001",
            "name": "The Lighthouse Keeper, hardcover",
            "variants": ("hardcover", "paperback", "ebook", "audiobook"),
        },
    )
    plan = await services.sellers.plan_stock_update(PRIYA.id, "salt hours", variant="hard cover", quantity=5)
    assert (plan.sku, plan.variant, plan.old_stock) == ("BOK-1004", "hardcover", 2)
    with pytest.raises(NotFoundError) as large_print:
        await services.sellers.plan_stock_update(PRIYA.id, "salt hours", variant="large print", quantity=5)
    assert large_print.value.code is ErrorCode.LISTING_VARIANT_NOT_FOUND


@pytest.mark.asyncio
async def test_another_stores_listing_is_not_found_exactly_like_a_missing_one(services: Services, query: Query) -> None:
    before = await query(services, "select id, stock from product_variants order by id")
    for reference in ("BOK-1001", "The Lighthouse Keeper", "BOK-9999"):
        with pytest.raises(NotFoundError) as err:
            await services.sellers.plan_stock_update(MARCUS.id, reference, quantity=5)
        assert err.value.code is ErrorCode.LISTING_NOT_FOUND
        assert "Harbor 3-seat sofa" in err.value.details["listings"], "the sentence lists the caller's own listings"
    # The write re-checks ownership: Priya's BOK-1001 paperback variant, forged into Marcus's write.
    [(variant_id,)] = await query(
        services, "select id from product_variants where sku = 'BOK-1001' and format = 'paperback'"
    )
    with pytest.raises(NotFoundError) as forged:
        await services.sellers.update_listing_stock(MARCUS.id, "BOK-1001", variant_id=variant_id, quantity=5)
    assert forged.value.code is ErrorCode.LISTING_NOT_FOUND
    # Marcus's own product with Priya's variant id.
    with pytest.raises(NotFoundError):
        await services.sellers.update_listing_stock(MARCUS.id, "HOM-4002", variant_id=variant_id, quantity=5)
    assert await query(services, "select id, stock from product_variants order by id") == before
    assert await query(services, "select count(*) from listing_stock_changes") == [(0,)]


@pytest.mark.asyncio
@pytest.mark.parametrize("quantity", [-1, MAX_STOCK + 1, 10**12, 2.5, True, "12"])
async def test_stock_quantity_is_a_whole_number_within_the_bounds(services: Services, quantity: Any) -> None:
    for call in (
        services.sellers.plan_stock_update(MARCUS.id, "skillet", quantity=quantity),
        services.sellers.update_listing_stock(MARCUS.id, "HOM-4002", variant_id=3, quantity=quantity),
    ):
        with pytest.raises(InvalidInputError) as err:
            await call
        assert err.value.code is ErrorCode.LISTING_STOCK_OUT_OF_RANGE
        assert (err.value.details["minimum"], err.value.details["maximum"]) == (0, MAX_STOCK)


@pytest.mark.asyncio
async def test_ambiguous_listing_and_unchanged_stock_are_refused(services: Services) -> None:
    with pytest.raises(NotFoundError) as sofa:
        await services.sellers.plan_stock_update(MARCUS.id, "the sofa", quantity=5)
    assert sofa.value.code is ErrorCode.LISTING_AMBIGUOUS
    assert ("HOM-4003", "Harbor 3-seat sofa") in sofa.value.details["options"]
    with pytest.raises(InvalidInputError) as same:
        await services.sellers.plan_stock_update(MARCUS.id, "skillet", quantity=3)
    assert facts(same.value) == (
        ErrorCode.LISTING_STOCK_UNCHANGED,
        {"sku": "HOM-4002", "name": "Cast iron skillet, 12 inch", "variant": "black", "quantity": 3},
    )
    assert (await services.sellers.plan_stock_update(MARCUS.id, "skillet", quantity=0)).new_stock == 0
    assert (await services.sellers.plan_stock_update(MARCUS.id, "skillet", quantity=MAX_STOCK)).new_stock == MAX_STOCK


@pytest.mark.asyncio
async def test_the_seeded_dispute_and_message_follow_the_documented_rule(services: Services, query: Query) -> None:
    """A filler buyer's delivered order holding an item of Lakeside Home Goods (the first such order by id)."""
    [(customer, seller, order, kind, status)] = await query(
        services, "select customer_id, seller_id, order_id, kind, status from seller_issues"
    )
    assert (seller, kind, status) == (MARCUS_STORE, "not_as_described", "open") and customer.startswith("CUS-2")
    [(first_order,)] = await query(
        services,
        "select min(o.id) from orders o join order_items i on i.order_id = o.id join products p on p.sku = i.sku "
        "where o.status = 'delivered' and o.customer_id like 'CUS-2%' and p.seller_id = :s",
        s=MARCUS_STORE,
    )
    assert order == first_order
    assert await query(services, "select customer_id, seller_id, order_id from seller_messages") == [
        (customer, seller, order)
    ]
    assert await query(services, "select customer_id from orders where id = :o", o=order) == [(customer,)]
