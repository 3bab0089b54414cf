"""AdvancedFeaturesService: wishlists, price-drop alerts, subscribe and save, bundles, the supervisor's facts.

Seeded at Wednesday 2026-11-18 15:00 (noon seeding: ``today`` is 2026-11-18). Demo facts are in
:mod:`services.feature_seed`: Ava (gold) has three wishlist items and two alerts (the skillet's triggered);
Marcus (standard) subscribes to coffee (active) and filters (paused); Priya to dish soap.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from services import InvalidInputError, InvalidStateError, NotFoundError, ServiceError, Services
from services import advanced_features as features_module
from services.advanced_features import next_delivery_on, subscription_discount
from services.demo_data import AVA, MARCUS, PRIYA
from services.errors import ErrorCode
from services.feature_seed import (
    AVA_ALERT_MONITOR,
    AVA_ALERT_SKILLET,
    CANDLE,
    COFFEE,
    COFFEE_BUNDLE,
    DISH_SOAP,
    FILTERS,
    HOME_OFFICE_BUNDLE,
    LAMP,
    MARCUS_COFFEE_SUB,
    MARCUS_FILTERS_SUB,
    MONITOR,
    PRIYA_SOAP_SUB,
    SKILLET,
    TEA,
    WATER_FILTER,
)
from services.views import percent_off

pytestmark = pytest.mark.unit

Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]
OpenAt = Callable[..., Awaitable[Services]]
TODAY = dt.date(2026, 11, 18)


def facts(err: ServiceError) -> tuple[ErrorCode, dict[str, Any]]:
    return err.code, dict(err.details)


async def feature_rows(services: Services, query: Query) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of this desk's tables (to assert "nothing written")."""
    return {
        t: await query(services, f"select * from {t} order by 1, 2")
        for t in ("wishlist_items", "price_alerts", "subscriptions", "bundles")
    }


async def coffee_variant(services: Services, query: Query, size: str) -> int:
    ((variant_id,),) = await query(
        services, "select id from product_variants where sku = :sku and size = :size", sku=COFFEE, size=size
    )
    return int(variant_id)


# --- policy functions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "active", "expected"),
    [
        ("standard", 1, (5, "standard")),
        ("standard", 4, (5, "standard")),
        ("standard", 5, (10, "five_or_more")),
        ("silver", 7, (10, "five_or_more")),
        ("gold", 1, (10, "gold")),
        ("platinum", 1, (10, "gold")),
        ("GOLD", 1, (10, "gold")),
    ],
)
def test_subscription_discount_policy(tier: str, active: int, expected: tuple[int, str]) -> None:
    assert subscription_discount(tier, active) == expected


@pytest.mark.parametrize(
    ("planned", "weeks", "expected"),
    [
        (dt.date(2026, 11, 24), 4, dt.date(2026, 11, 24)),
        (TODAY, 2, TODAY),
        (dt.date(2026, 11, 17), 2, dt.date(2026, 12, 1)),
        (dt.date(2026, 10, 1), 4, dt.date(2026, 11, 26)),
        (dt.date(2026, 10, 21), 4, TODAY),
    ],
)
def test_next_delivery_rolls_forward(planned: dt.date, weeks: int, expected: dt.date) -> None:
    assert next_delivery_on(planned, weeks, TODAY) == expected


@pytest.mark.parametrize(
    ("cents", "pct", "expected"), [(38800, 10, 34920), (1699, 5, 1614), (1699, 10, 1529), (549, 5, 522), (0, 5, 0)]
)
def test_percent_off_rounds_half_up(cents: int, pct: int, expected: int) -> None:
    assert percent_off(cents, pct) == expected


# --- the seed ---------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_seeded_demo_facts(services: Services) -> None:
    f = services.features
    wishlist = await f.wishlist(AVA.id)
    assert [(w.sku, w.price_cents, w.in_stock) for w in wishlist] == [
        (COFFEE, 1699, True),
        (LAMP, 5900, True),
        (MONITOR, 32900, True),
    ], "newest first, main variant's price"
    alerts = await f.price_alerts(AVA.id)
    assert [(a.id, a.sku, a.target_price_cents, a.current_price_cents, a.triggered) for a in alerts] == [
        (AVA_ALERT_MONITOR, MONITOR, 29900, 32900, False),
        (AVA_ALERT_SKILLET, SKILLET, 4900, 4500, True),
    ]
    assert [a.id for a in await f.check_price_drops(AVA.id)] == [AVA_ALERT_SKILLET]
    marcus = await f.subscriptions(MARCUS.id)
    assert [(s.id, s.sku, s.variant, s.every_weeks, s.status, s.discount_pct, s.next_delivery) for s in marcus] == [
        (MARCUS_COFFEE_SUB, COFFEE, "2 lb", 4, "active", 5, dt.date(2026, 11, 24)),
        (MARCUS_FILTERS_SUB, FILTERS, "", 8, "paused", 5, dt.date(2026, 12, 8)),
    ]
    assert marcus[0].price_per_delivery_cents == 3324, "$34.99 less 5 %"
    (soap,) = await f.subscriptions(PRIYA.id)
    assert (soap.id, soap.quantity, soap.price_per_delivery_cents) == (PRIYA_SOAP_SUB, 2, 1188)
    assert await f.subscriptions(AVA.id) == [] and await f.price_alerts(MARCUS.id) == []


@pytest.mark.asyncio
async def test_ten_bundles_seeded(services: Services, query: Query) -> None:
    rows = await query(services, "select id from bundles order by id")
    assert [r[0] for r in rows] == [f"BND-{n}" for n in range(3001, 3011)]
    skus = await query(services, "select skus from bundles")
    products = {r[0] for r in await query(services, "select sku from products")}
    assert all(set(json.loads(s)) <= products for (s,) in skus)


# --- wishlist ---------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_wishlist_add_and_remove(services: Services, query: Query) -> None:
    f = services.features
    checked = await f.check_wishlist_add(AVA.id, TEA)
    assert (checked.sku, checked.name, checked.price_cents) == (TEA, "Earl Grey loose leaf tea, 8 oz", 1250)
    assert await query(services, "select count(*) from wishlist_items where customer_id = :c", c=AVA.id) == [(3,)]
    added = await f.add_to_wishlist(AVA.id, TEA)
    assert added.sku == TEA
    assert (await f.wishlist(AVA.id))[0].sku == TEA
    removed = await f.remove_from_wishlist(AVA.id, LAMP)
    assert removed.name == "Brass desk lamp"
    assert [w.sku for w in await f.wishlist(AVA.id)] == [TEA, COFFEE, MONITOR]


@pytest.mark.asyncio
async def test_wishlist_refusals(services: Services, query: Query, monkeypatch: pytest.MonkeyPatch) -> None:
    f = services.features
    before = await feature_rows(services, query)
    with pytest.raises(InvalidStateError) as exc:
        await f.add_to_wishlist(AVA.id, MONITOR)
    assert facts(exc.value) == (ErrorCode.ALREADY_ON_WISHLIST, {"sku": MONITOR, "name": "27-inch 4K monitor"})
    with pytest.raises(NotFoundError) as exc:
        await f.add_to_wishlist(AVA.id, "HOM-0000")
    assert facts(exc.value) == (ErrorCode.FEATURE_PRODUCT_UNKNOWN, {"sku": "HOM-0000"})
    with pytest.raises(NotFoundError) as exc:
        await f.remove_from_wishlist(AVA.id, SKILLET)
    assert exc.value.code is ErrorCode.NOT_ON_WISHLIST
    assert exc.value.details["wishlist"] == (
        "Ridgeline house blend coffee beans",
        "Brass desk lamp",
        "27-inch 4K monitor",
    )
    with pytest.raises(NotFoundError):
        await f.remove_from_wishlist(MARCUS.id, MONITOR)  # Ava's item is not Marcus's
    monkeypatch.setattr(features_module, "MAX_WISHLIST_ITEMS", 3)
    with pytest.raises(InvalidStateError) as exc:
        await f.check_wishlist_add(AVA.id, TEA)
    assert facts(exc.value) == (ErrorCode.WISHLIST_FULL, {"max_items": 3})
    with pytest.raises(InvalidInputError) as exc:
        await f.add_to_wishlist(AVA.id, "HOM-\x004001")
    assert exc.value.code is ErrorCode.TEXT_NOT_ENCODABLE
    assert await feature_rows(services, query) == before


# --- price alerts ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_create_and_cancel_a_price_alert(services: Services, query: Query) -> None:
    f = services.features
    quote = await f.check_price_alert(AVA.id, LAMP, 4999)
    assert (quote.id, quote.current_price_cents, quote.target_price_cents) == ("", 5900, 4999)
    assert await query(services, "select count(*) from price_alerts") == [(2,)], "a check writes nothing"
    alert = await f.create_price_alert(AVA.id, LAMP, 4999)
    assert (alert.id, alert.triggered, alert.price_when_set_cents) == ("ALR-710003", False, 5900)
    assert await query(services, "select customer_id, sku, target_price_cents, active from price_alerts where id = :i",
                       i="ALR-710003") == [(AVA.id, LAMP, 4999, 1)]  # fmt: skip
    cancelled = await f.cancel_price_alert(AVA.id, "ALR-710003")
    assert not cancelled.active
    assert await query(services, "select active, cancelled_at from price_alerts where id = 'ALR-710003'") == [
        (0, "2026-11-18 15:00:00.000000")
    ]
    again = await f.create_price_alert(AVA.id, LAMP, 4500)
    assert again.id == "ALR-710004", "a cancelled alert does not block a new one for the same product"


@pytest.mark.asyncio
@pytest.mark.parametrize("target", [0, -500, 10_000_001, True, "4999", 49.99])
async def test_alert_target_must_be_a_price(services: Services, query: Query, target: Any) -> None:
    before = await feature_rows(services, query)
    with pytest.raises(InvalidInputError) as exc:
        await services.features.create_price_alert(AVA.id, LAMP, target)
    assert exc.value.code is ErrorCode.PRICE_ALERT_TARGET_INVALID
    assert await feature_rows(services, query) == before


@pytest.mark.asyncio
async def test_alert_refusals(services: Services, query: Query, monkeypatch: pytest.MonkeyPatch) -> None:
    f = services.features
    before = await feature_rows(services, query)
    for target in (5900, 6500):
        with pytest.raises(InvalidInputError) as exc:
            await f.create_price_alert(AVA.id, LAMP, target)
        assert facts(exc.value) == (
            ErrorCode.PRICE_ALERT_TARGET_NOT_BELOW,
            {"name": "Brass desk lamp", "target_price_cents": target, "current_price_cents": 5900},
        )
    with pytest.raises(InvalidStateError) as exc:
        await f.create_price_alert(AVA.id, MONITOR, 27900)
    assert facts(exc.value) == (
        ErrorCode.PRICE_ALERT_EXISTS,
        {"alert_id": AVA_ALERT_MONITOR, "name": "27-inch 4K monitor", "target_price_cents": 29900},
    )
    monkeypatch.setattr(features_module, "MAX_ACTIVE_ALERTS", 2)
    with pytest.raises(InvalidStateError) as exc:
        await f.check_price_alert(AVA.id, LAMP, 4000)
    assert facts(exc.value) == (ErrorCode.PRICE_ALERT_LIMIT, {"max_alerts": 2})
    with pytest.raises(NotFoundError) as exc:
        await f.create_price_alert(AVA.id, "ELC-0000", 100)
    assert exc.value.code is ErrorCode.FEATURE_PRODUCT_UNKNOWN
    assert await feature_rows(services, query) == before


@pytest.mark.asyncio
async def test_another_customers_alert_is_not_found(services: Services, query: Query) -> None:
    f = services.features
    for who, alert_id in ((MARCUS.id, AVA_ALERT_MONITOR), (AVA.id, "ALR-799999"), (AVA.id, "not an id")):
        with pytest.raises(NotFoundError) as exc:
            await f.cancel_price_alert(who, alert_id)
        assert facts(exc.value) == (ErrorCode.PRICE_ALERT_NOT_FOUND, {"alert_id": alert_id})
    await f.cancel_price_alert(AVA.id, AVA_ALERT_MONITOR)
    with pytest.raises(NotFoundError):
        await f.cancel_price_alert(AVA.id, AVA_ALERT_MONITOR)  # already cancelled: no active alert


@pytest.mark.asyncio
async def test_price_drop_follows_the_current_price(services: Services, query: Query) -> None:
    f = services.features

    async def set_price(sku: str, cents: int) -> None:
        from sqlalchemy import text

        async def _update(session: Any) -> None:
            await session.execute(
                text("update product_variants set price_cents = :p where sku = :s"), {"p": cents, "s": sku}
            )

        await services.db.run(_update, write=True)

    await set_price(MONITOR, 29900)
    assert {a.id for a in await f.check_price_drops(AVA.id)} == {AVA_ALERT_MONITOR, AVA_ALERT_SKILLET}, "at target"
    await set_price(SKILLET, 4901)
    assert [a.id for a in await f.check_price_drops(AVA.id)] == [AVA_ALERT_MONITOR], "a cent above the target"


# --- subscriptions ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_subscribe_gold_member_at_ten_percent(services: Services, query: Query) -> None:
    f = services.features
    quote = await f.quote_subscription(AVA.id, FILTERS, variant_id=None, every_weeks=4, quantity=2)
    assert (quote.discount_pct, quote.discount_reason, quote.first_delivery) == (10, "gold", dt.date(2026, 11, 21))
    assert quote.price_per_delivery_cents == 988, "2 x $5.49 less 10 %"
    sub = await f.subscribe(AVA.id, FILTERS, variant_id=None, every_weeks=4, quantity=2)
    assert (sub.id, sub.status, sub.next_delivery, sub.price_per_delivery_cents) == (
        "SUB-720004",
        "active",
        dt.date(2026, 11, 21),
        988,
    )
    assert await query(
        services,
        "select customer_id, sku, quantity, every_weeks, discount_pct, next_delivery, status from subscriptions "
        "where id = 'SUB-720004'",
    ) == [(AVA.id, FILTERS, 2, 4, 10, "2026-11-21", "active")]


@pytest.mark.asyncio
async def test_fifth_active_subscription_gets_the_loyal_rate(services: Services, query: Query) -> None:
    f = services.features
    rates = []
    for sku in (TEA, DISH_SOAP, WATER_FILTER):  # Marcus: coffee active + filters paused, then three more
        rates.append((await f.subscribe(MARCUS.id, sku, variant_id=None, every_weeks=8)).discount_pct)
    assert rates == [5, 5, 5], "two, three and four active subscriptions"
    quote = await f.quote_subscription(
        MARCUS.id, COFFEE, variant_id=await coffee_variant(services, query, "12 oz"), every_weeks=2
    )
    assert (quote.discount_pct, quote.discount_reason) == (10, "five_or_more")
    await f.change_subscription(MARCUS.id, MARCUS_COFFEE_SUB, "pause")
    quote = await f.quote_subscription(
        MARCUS.id, COFFEE, variant_id=await coffee_variant(services, query, "12 oz"), every_weeks=2
    )
    assert quote.discount_pct == 5, "a paused subscription does not count as active"


@pytest.mark.asyncio
async def test_subscription_refusals(services: Services, query: Query, monkeypatch: pytest.MonkeyPatch) -> None:
    f = services.features
    before = await feature_rows(services, query)
    cases: list[tuple[dict[str, Any], type[ServiceError], ErrorCode]] = [
        ({"sku": MONITOR}, InvalidStateError, ErrorCode.NOT_SUBSCRIBABLE),
        ({"sku": CANDLE}, InvalidStateError, ErrorCode.SUBSCRIBE_OUT_OF_STOCK),
        ({"sku": COFFEE}, InvalidInputError, ErrorCode.SUBSCRIPTION_VARIANT_REQUIRED),
        ({"sku": FILTERS, "every_weeks": 3}, InvalidInputError, ErrorCode.SUBSCRIPTION_INTERVAL_INVALID),
        ({"sku": FILTERS, "every_weeks": True}, InvalidInputError, ErrorCode.SUBSCRIPTION_INTERVAL_INVALID),
        ({"sku": FILTERS, "quantity": 0}, InvalidInputError, ErrorCode.SUBSCRIPTION_QUANTITY_INVALID),
        ({"sku": FILTERS, "quantity": 7}, InvalidInputError, ErrorCode.SUBSCRIPTION_QUANTITY_INVALID),
        ({"sku": "HOM-0000"}, NotFoundError, ErrorCode.FEATURE_PRODUCT_UNKNOWN),
        ({"sku": FILTERS, "variant_id": 10**6}, NotFoundError, ErrorCode.FEATURE_PRODUCT_UNKNOWN),
    ]
    for args, kind, code in cases:
        call = {"variant_id": None, "every_weeks": 4, "quantity": 1, **args}
        sku = call.pop("sku")
        with pytest.raises(kind) as exc:
            await f.subscribe(AVA.id, sku, **call)
        assert exc.value.code is code, (args, exc.value)
    with pytest.raises(InvalidInputError) as exc:
        await f.quote_subscription(AVA.id, COFFEE, variant_id=None, every_weeks=4)
    assert exc.value.details["variants"] == ("12 oz", "2 lb")
    marcus_2lb = await coffee_variant(services, query, "2 lb")
    with pytest.raises(InvalidStateError) as exc:
        await f.subscribe(MARCUS.id, COFFEE, variant_id=marcus_2lb, every_weeks=2)
    assert facts(exc.value) == (
        ErrorCode.SUBSCRIPTION_EXISTS,
        {"subscription_id": MARCUS_COFFEE_SUB, "name": "Ridgeline house blend coffee beans", "status": "active"},
    )
    with pytest.raises(InvalidStateError) as exc:
        await f.subscribe(MARCUS.id, FILTERS, variant_id=None, every_weeks=2)
    assert exc.value.details["status"] == "paused", "a paused subscription blocks a second one"
    monkeypatch.setattr(features_module, "MAX_SUBSCRIPTIONS", 2)
    with pytest.raises(InvalidStateError) as exc:
        await f.quote_subscription(MARCUS.id, TEA, variant_id=None, every_weeks=4)
    assert facts(exc.value) == (ErrorCode.SUBSCRIPTION_LIMIT, {"max_subscriptions": 2})
    assert await feature_rows(services, query) == before


@pytest.mark.asyncio
async def test_pause_resume_cancel(services: Services, query: Query, open_at: OpenAt) -> None:
    f = services.features
    check = await f.check_subscription_change(MARCUS.id, MARCUS_COFFEE_SUB, "pause")
    assert check.status == "paused"
    assert await query(services, "select status from subscriptions where id = :i", i=MARCUS_COFFEE_SUB) == [
        ("active",)
    ], "a check writes nothing"
    paused = await f.change_subscription(MARCUS.id, MARCUS_COFFEE_SUB, "pause")
    assert (paused.status, paused.next_delivery) == ("paused", dt.date(2026, 11, 24))
    resumed = await f.change_subscription(MARCUS.id, MARCUS_FILTERS_SUB, "resume")
    assert (resumed.status, resumed.next_delivery) == ("active", dt.date(2026, 12, 8)), "the planned date is later"
    later = await open_at(dt.datetime(2026, 12, 20, 9, 0))
    back = await later.features.change_subscription(MARCUS.id, MARCUS_COFFEE_SUB, "resume")
    assert (back.status, back.next_delivery) == ("active", dt.date(2026, 12, 23)), "three days from the resume"
    cancelled = await f.change_subscription(PRIYA.id, PRIYA_SOAP_SUB, "cancel")
    assert cancelled.status == "cancelled"
    assert await query(services, "select status, updated_at from subscriptions where id = :i", i=PRIYA_SOAP_SUB) == [
        ("cancelled", "2026-11-18 15:00:00.000000")
    ]
    assert await f.subscriptions(PRIYA.id) == []
    assert [s.id for s in await f.subscriptions(PRIYA.id, include_cancelled=True)] == [PRIYA_SOAP_SUB]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("sub", "action", "status"),
    [
        (MARCUS_COFFEE_SUB, "resume", "active"),
        (MARCUS_FILTERS_SUB, "pause", "paused"),
    ],
)
async def test_action_must_fit_the_status(services: Services, query: Query, sub: str, action: Any, status: str) -> None:
    before = await feature_rows(services, query)
    with pytest.raises(InvalidStateError) as exc:
        await services.features.change_subscription(MARCUS.id, sub, action)
    assert exc.value.code is ErrorCode.SUBSCRIPTION_STATE
    assert (exc.value.details["status"], exc.value.details["action"]) == (status, action)
    assert await feature_rows(services, query) == before


@pytest.mark.asyncio
async def test_cancelled_subscription_is_final(services: Services) -> None:
    f = services.features
    await f.change_subscription(PRIYA.id, PRIYA_SOAP_SUB, "cancel")
    for action in ("pause", "resume", "cancel"):
        with pytest.raises(InvalidStateError) as exc:
            await f.change_subscription(PRIYA.id, PRIYA_SOAP_SUB, action)  # type: ignore[arg-type]
        assert exc.value.details["status"] == "cancelled"
    with pytest.raises(InvalidInputError) as exc:
        await f.change_subscription(MARCUS.id, MARCUS_COFFEE_SUB, "delete")  # type: ignore[arg-type]
    assert exc.value.code is ErrorCode.SUBSCRIPTION_STATE


@pytest.mark.asyncio
@pytest.mark.parametrize("sub", [MARCUS_COFFEE_SUB, PRIYA_SOAP_SUB, "SUB-799999", "", "SUB-720001' OR 1=1"])
async def test_another_customers_subscription_is_not_found(services: Services, query: Query, sub: str) -> None:
    before = await feature_rows(services, query)
    for method in (services.features.check_subscription_change, services.features.change_subscription):
        with pytest.raises(NotFoundError) as exc:
            await method(AVA.id, sub, "cancel")
        assert facts(exc.value) == (ErrorCode.SUBSCRIPTION_NOT_FOUND, {"subscription_id": sub})
    assert await feature_rows(services, query) == before


@pytest.mark.asyncio
async def test_active_subscription_next_delivery_rolls_forward(open_at: OpenAt) -> None:
    later = await open_at(dt.datetime(2026, 12, 30, 10, 0))
    (coffee, filters) = await later.features.subscriptions(MARCUS.id)
    assert coffee.next_delivery == dt.date(2027, 1, 19), "Nov 24 + 4 weeks x 2 = Jan 19"
    assert filters.next_delivery == dt.date(2026, 12, 8), "a paused one keeps its planned date"


# --- bundles ---------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_bundles_with_a_product(services: Services) -> None:
    f = services.features
    (office,) = await f.bundles_with(MONITOR)
    assert (office.id, [i.sku for i in office.items], office.discount_pct) == (HOME_OFFICE_BUNDLE, [MONITOR, LAMP], 10)
    assert (office.list_price_cents, office.price_cents, office.savings_cents) == (38800, 34920, 3880)
    (kit,) = await f.bundles_with(FILTERS)
    assert (kit.id, kit.list_price_cents, kit.price_cents) == (COFFEE_BUNDLE, 2248, 1911), "$16.99 + $5.49 less 15 %"
    assert await f.bundles_with("GFT-5001") == []
    with pytest.raises(NotFoundError):
        await f.bundles_with("GFT-0000")


# --- supervisor facts ------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_case_facts_hold_no_identity_data(services: Services) -> None:
    await services.returns.initiate_return(AVA.id, "ORD-100101", sku=None, condition="unused", reason="Too small")
    facts_view = await services.features.case_facts(AVA.id)
    assert [o.id for o in facts_view.orders] == ["ORD-100102", "ORD-100101", "ORD-100103"]
    assert [(r.id, r.order_id, r.item_name, r.refund_cents) for r in facts_view.returns] == [
        ("RET-500001", "ORD-100101", "Alpine rain jacket", 12900)
    ]
    assert {p.category for p in facts_view.policies} >= {"books", "electronics", "fashion", "home", "gift_cards"}
    assert (facts_view.today, facts_view.loyalty_tier, facts_view.subscriptions) == (TODAY, "gold", ())
    text = repr(facts_view)
    for secret in (AVA.phone, AVA.phone[2:], "1988", AVA.email, AVA.address[0], AVA.last_name, "4821", "7702"):
        assert secret not in text
    marcus = await services.features.case_facts(MARCUS.id)
    assert [s.id for s in marcus.subscriptions] == [MARCUS_COFFEE_SUB, MARCUS_FILTERS_SUB]
    assert all(o.id.startswith("ORD-1002") for o in marcus.orders)
    with pytest.raises(NotFoundError):
        await services.features.case_facts("CUS-9999")
