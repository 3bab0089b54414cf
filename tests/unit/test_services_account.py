"""AccountSecurityService and PersonalizationService on a freshly seeded database (SQLite and PostgreSQL).

Seeded at Wednesday 2026-11-18 15:00 (:mod:`services.account_seed`): Priya (CUS-1003) has five charges
in the last 30 days, three of them unusual (CHG-810008 $489.00 Lagos Gadget Hub, Lagos; CHG-810009 $1.00
and CHG-810010 $1.49 VRFY*Online Services, Bucharest); Ava's charges are her orders' totals (the novel's
CHG-810003 is 50 days old). Ava prefers fashion, size M, navy; Marcus electronics under $300.00.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from services import InvalidInputError, InvalidStateError, NotFoundError, ServiceError, Services
from services.account_security import RESET_TTL, masked_email, match_charges, parse_amount_cents
from services.account_seed import (
    AVA_HEADPHONES_CHARGE,
    AVA_JACKET_CHARGE,
    AVA_NOVEL_CHARGE,
    MARCUS_MONITOR_CHARGE,
    PRIYA_GIFT_CARD_CHARGE,
    PRIYA_LAGOS,
    PRIYA_SKILLET_CHARGE,
    PRIYA_TEST_CHARGES,
    PRIYA_UNUSUAL,
)
from services.demo_data import AVA, MARCUS, PRIYA
from services.errors import ErrorCode
from services.personalization import MAX_EVENTS_PER_CALL, PREFERENCE_KEYS
from services.views import ChargeView, PreferenceView
from worker.testing import FIXED_NOW

pytestmark = [pytest.mark.unit, pytest.mark.asyncio]

Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]
OpenAt = Callable[..., Awaitable[Services]]
Snapshot = Callable[[Services], Awaitable[dict[str, list[tuple[Any, ...]]]]]

ACCOUNT_TABLES = {
    "charges": "select id, status from charges order by id",
    "security_cases": "select * from security_cases order by id",
    "password_resets": "select * from password_resets order by id",
    "preferences": "select customer_id, key, value from preferences order by customer_id, key",
    "behavior_events": "select * from behavior_events order by id",
    "locks": "select id, security_locked_at, security_lock_reason from customers order by id",
}


async def account_state(services: Services, query: Query) -> dict[str, list[tuple[Any, ...]]]:
    return {name: await query(services, sql) for name, sql in ACCOUNT_TABLES.items()}


def facts(err: ServiceError) -> tuple[ErrorCode, dict[str, Any]]:
    return err.code, dict(err.details)


# --- charges ---------------------------------------------------------------------------------------------


async def test_priya_sees_her_last_30_days_unusual_first(services: Services) -> None:
    charges = await services.account_security.recent_charges(PRIYA.id)

    assert [c.id for c in charges] == [*PRIYA_UNUSUAL[:1], *reversed(PRIYA_TEST_CHARGES), PRIYA_SKILLET_CHARGE,
                                       PRIYA_GIFT_CARD_CHARGE]  # fmt: skip
    assert [c.unusual for c in charges] == [True, True, True, False, False]
    lagos = charges[0]
    assert (lagos.amount_cents, lagos.merchant, lagos.location, lagos.status) == (
        48900,
        "Lagos Gadget Hub",
        "Lagos, Nigeria",
        "posted",
    )
    assert lagos.at == dt.datetime(2026, 11, 16, 9, 0)


async def test_order_charges_match_the_orders_and_older_ones_are_not_recent(services: Services, query: Query) -> None:
    ava = await services.account_security.recent_charges(AVA.id)

    assert [(c.id, c.order_id, c.amount_cents, c.unusual) for c in ava] == [
        (AVA_HEADPHONES_CHARGE, "ORD-100102", 19900, False),
        (AVA_JACKET_CHARGE, "ORD-100101", 12900, False),
    ]
    assert AVA_NOVEL_CHARGE not in {c.id for c in ava}  # 50 days old
    # Every order is charged for its total, to its own customer, when it was placed.
    mismatched = await query(
        services,
        "select c.id from charges c join orders o on o.id = c.order_id "
        "where c.customer_id <> o.customer_id or c.at <> o.placed_at or c.amount_cents <> "
        "(select sum(i.quantity * i.unit_price_cents) from order_items i where i.order_id = o.id)",
    )
    assert mismatched == []
    assert await query(services, "select count(*) from orders where id not in (select order_id from charges "
                                 "where order_id is not null)") == [(0,)]  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"amount_cents": 48900}, [PRIYA_LAGOS]),
        ({"amount_cents": 48900, "exact_amount": True}, [PRIYA_LAGOS]),
        ({"amount_cents": 100}, [PRIYA_TEST_CHARGES[0]]),
        ({"amount_cents": 150}, [PRIYA_TEST_CHARGES[1], PRIYA_TEST_CHARGES[0]]),
        ({"amount_cents": 150, "exact_amount": True}, []),
        ({"merchant": "lagos"}, [PRIYA_LAGOS]),
        ({"merchant": "gadget hub"}, [PRIYA_LAGOS]),
        ({"merchant": "Bucharest"}, [PRIYA_TEST_CHARGES[1], PRIYA_TEST_CHARGES[0]]),
        ({"merchant": "skilet"}, [PRIYA_SKILLET_CHARGE]),
        ({"merchant": "Paris"}, []),
        ({"merchant": "the"}, []),
        ({"amount_cents": 4500, "merchant": "Lagos"}, []),
    ],
)
async def test_recent_charges_filter_by_amount_and_merchant(
    services: Services, kwargs: dict[str, Any], expected: list[str]
) -> None:
    assert [c.id for c in await services.account_security.recent_charges(PRIYA.id, **kwargs)] == expected


async def test_no_customer_reads_another_customers_charges(services: Services) -> None:
    ids = {c.id for c in await services.account_security.recent_charges(AVA.id, days=365)}
    assert ids == {AVA_JACKET_CHARGE, AVA_HEADPHONES_CHARGE, AVA_NOVEL_CHARGE}
    assert await services.account_security.recent_charges("CUS-9999") == []


# --- resolving what the caller said -------------------------------------------------------------------------

REFERENCES = [
    ("the one from Lagos", [PRIYA_LAGOS]),
    ("the lagoss one", [PRIYA_LAGOS]),
    ("the 489 dollar one", [PRIYA_LAGOS]),
    ("$489.00", [PRIYA_LAGOS]),
    ("the electronics charge", [PRIYA_LAGOS]),
    ("the one on November 16", [PRIYA_LAGOS]),
    ("the latest one", [PRIYA_LAGOS]),
    ("CHG-810008", [PRIYA_LAGOS]),
    ("chg 810008", [PRIYA_LAGOS]),
    ("the two small test charges", [PRIYA_TEST_CHARGES[1], PRIYA_TEST_CHARGES[0]]),
    ("the 1 dollar one", [PRIYA_TEST_CHARGES[0]]),
    ("$1.49", [PRIYA_TEST_CHARGES[1]]),
    ("all the unusual ones", [PRIYA_LAGOS, PRIYA_TEST_CHARGES[1], PRIYA_TEST_CHARGES[0]]),
    ("the one from Lagos and the two small ones", [PRIYA_LAGOS, PRIYA_TEST_CHARGES[1], PRIYA_TEST_CHARGES[0]]),
    ("CHG-810008, CHG-810009", [PRIYA_LAGOS, PRIYA_TEST_CHARGES[0]]),
    ("the gift card and the skillet", [PRIYA_GIFT_CARD_CHARGE, PRIYA_SKILLET_CHARGE]),
]


@pytest.mark.parametrize(("reference", "expected"), REFERENCES)
async def test_the_callers_words_resolve_to_her_own_charges(
    services: Services, reference: str, expected: list[str]
) -> None:
    assert [c.id for c in await services.account_security.resolve_charges(PRIYA.id, reference)] == expected


@pytest.mark.parametrize(
    ("reference", "code", "candidates"),
    [
        ("the overseas one", ErrorCode.CHARGE_AMBIGUOUS, [PRIYA_LAGOS, PRIYA_TEST_CHARGES[1], PRIYA_TEST_CHARGES[0]]),
        ("the small one", ErrorCode.CHARGE_AMBIGUOUS, [PRIYA_TEST_CHARGES[1], PRIYA_TEST_CHARGES[0]]),
        ("the Marketplace one", ErrorCode.CHARGE_AMBIGUOUS, [PRIYA_SKILLET_CHARGE, PRIYA_GIFT_CARD_CHARGE]),
        ("the one from Paris", ErrorCode.CHARGE_NOT_MATCHED, None),
        ("that one", ErrorCode.CHARGE_NOT_MATCHED, None),
        ("the 700 dollar one", ErrorCode.CHARGE_NOT_MATCHED, None),
    ],
)
async def test_unclear_words_are_refused_with_the_candidates(
    services: Services, reference: str, code: ErrorCode, candidates: list[str] | None
) -> None:
    with pytest.raises(InvalidInputError) as err:
        await services.account_security.resolve_charges(PRIYA.id, reference)

    assert err.value.code is code and err.value.details["reference"] == reference
    listed = [c[0] for c in err.value.details["charges"]]
    if candidates is not None:
        assert listed == candidates
    else:  # everything she has, unusual first, at most five
        assert listed[:3] == list(PRIYA_UNUSUAL[:1]) + list(reversed(PRIYA_TEST_CHARGES)) and len(listed) <= 5


@pytest.mark.parametrize("foreign", [AVA_JACKET_CHARGE, MARCUS_MONITOR_CHARGE, "CHG-999999"])
async def test_another_customers_charge_id_looks_exactly_like_a_missing_one(
    services: Services, query: Query, foreign: str
) -> None:
    before = await account_state(services, query)
    with pytest.raises(NotFoundError) as err:
        await services.account_security.resolve_charges(PRIYA.id, foreign)
    with pytest.raises(NotFoundError) as flagged:
        await services.account_security.flag_suspicious_activity(PRIYA.id, "Not mine", [foreign])
    with pytest.raises(NotFoundError) as reported:
        await services.account_security.report_fraud(PRIYA.id, [foreign], "Not mine")

    for e in (err, flagged, reported):
        assert facts(e.value) == (ErrorCode.CHARGE_NOT_FOUND, {"charge_id": foreign})
    assert await account_state(services, query) == before


async def test_match_charges_needs_text_and_caps_a_case() -> None:
    at = dt.datetime(2026, 11, 1, 12)
    many = [ChargeView(f"CHG-81{i:04d}", 100, "VRFY", "", "Bucharest, Romania", at, "posted", None, True)
            for i in range(12)]  # fmt: skip
    with pytest.raises(InvalidInputError) as err:
        match_charges(many, "all the unusual ones")
    assert facts(err.value) == (ErrorCode.TOO_MANY_CHARGES, {"count": 12, "limit": 10})
    for bad, code in [("", ErrorCode.FIELD_MISSING), ("x" * 201, ErrorCode.FIELD_TOO_LONG),
                      (5, ErrorCode.NOT_TEXT), ("a\x00b", ErrorCode.TEXT_NOT_ENCODABLE)]:  # fmt: skip
        with pytest.raises(InvalidInputError) as err:
            match_charges(many, bad)  # type: ignore[arg-type]
        assert err.value.code is code


@pytest.mark.parametrize(
    ("text", "cents"),
    [("89", 8900), ("$89.99", 8999), ("89 dollars", 8900), ("1,249", 124900), ("$1.5", 150), ("lots", None)],
)
async def test_amounts_in_the_callers_words(text: str, cents: int | None) -> None:
    assert parse_amount_cents(text) == cents


async def test_masked_email_keeps_the_first_letter_and_the_domain() -> None:
    assert masked_email("ava.thompson@example.com") == "a***@example.com"
    assert masked_email("not-an-email") == "***"


# --- cases ---------------------------------------------------------------------------------------------------


async def test_a_suspicious_activity_flag_opens_a_case_and_leaves_charges_alone(
    services: Services, query: Query
) -> None:
    case = await services.account_security.flag_suspicious_activity(
        PRIYA.id, "  A login alert from a device I don't own ", [PRIYA_LAGOS]
    )
    plain = await services.account_security.flag_suspicious_activity(PRIYA.id, "Strange password email")

    assert (case.id, case.kind, case.status, case.charge_ids, case.disputed_cents) == (
        "SEC-820001",
        "suspicious_activity",
        "open",
        (PRIYA_LAGOS,),
        0,
    )
    assert plain.id == "SEC-820002" and plain.charge_ids == ()
    cases = await query(services, "select id, customer_id, kind, charge_ids, description, status from security_cases")
    assert sorted(cases) == [
        (
            "SEC-820001",
            PRIYA.id,
            "suspicious_activity",
            '["CHG-810008"]',
            "A login alert from a device I don't own",
            "open",
        ),
        ("SEC-820002", PRIYA.id, "suspicious_activity", "[]", "Strange password email", "open"),
    ]
    assert await query(services, "select status from charges where id = :i", i=PRIYA_LAGOS) == [("posted",)]


async def test_a_fraud_report_disputes_the_charges_in_one_transaction(services: Services, query: Query) -> None:
    ids = [PRIYA_LAGOS, *PRIYA_TEST_CHARGES]
    await services.account_security.check_fraud_report(PRIYA.id, ids, "I never made these")
    case = await services.account_security.report_fraud(PRIYA.id, ids, "I never made these")

    assert (case.id, case.kind, case.charge_ids, case.disputed_cents) == ("SEC-820001", "fraud", tuple(ids), 49149)
    assert await query(services, "select id, status from charges where customer_id = :c and status <> 'posted' "
                                 "order by id", c=PRIYA.id) == [(i, "disputed") for i in sorted(ids)]  # fmt: skip
    assert [c.id for c in await services.account_security.cases(PRIYA.id)] == ["SEC-820001"]
    assert (await services.account_security.cases(PRIYA.id))[0].disputed_cents == 49149
    # Reported again: refused, nothing more written.
    with pytest.raises(InvalidStateError) as err:
        await services.account_security.report_fraud(PRIYA.id, [PRIYA_LAGOS], "again")
    assert facts(err.value) == (
        ErrorCode.CHARGE_NOT_DISPUTABLE,
        {"charge_id": PRIYA_LAGOS, "status": "disputed", "window_days": 120},
    )
    assert await query(services, "select count(*) from security_cases") == [(1,)]


async def test_a_fraud_report_is_all_or_nothing(services: Services, query: Query) -> None:
    await services.account_security.report_fraud(PRIYA.id, [PRIYA_TEST_CHARGES[0]], "test charge")
    with pytest.raises(InvalidStateError):
        await services.account_security.report_fraud(PRIYA.id, [PRIYA_LAGOS, PRIYA_TEST_CHARGES[0]], "both")

    assert await query(services, "select status from charges where id = :i", i=PRIYA_LAGOS) == [("posted",)]
    assert await query(services, "select count(*) from security_cases") == [(1,)]


async def test_fraud_reports_close_after_the_dispute_window(open_at: OpenAt, query: Query) -> None:
    later = await open_at(FIXED_NOW + dt.timedelta(days=71))  # the novel's charge is then 121 days old
    with pytest.raises(InvalidStateError) as err:
        await later.account_security.report_fraud(AVA.id, [AVA_NOVEL_CHARGE], "not me")

    assert facts(err.value) == (
        ErrorCode.CHARGE_NOT_DISPUTABLE,
        {"charge_id": AVA_NOVEL_CHARGE, "status": "too_old", "window_days": 120},
    )
    assert await query(later, "select status from charges where id = :i", i=AVA_NOVEL_CHARGE) == [("posted",)]


@pytest.mark.parametrize(
    ("ids", "description", "code"),
    [
        ([], "not me", ErrorCode.FIELD_MISSING),
        ([PRIYA_LAGOS], "", ErrorCode.FIELD_MISSING),
        ([PRIYA_LAGOS], "x" * 301, ErrorCode.FIELD_TOO_LONG),
        ([PRIYA_LAGOS], "bad\x00text", ErrorCode.TEXT_NOT_ENCODABLE),
        ([f"CHG-8100{i:02d}" for i in range(11)], "many", ErrorCode.TOO_MANY_CHARGES),
    ],
)
async def test_malformed_fraud_reports_write_nothing(
    services: Services, query: Query, ids: list[str], description: str, code: ErrorCode
) -> None:
    before = await account_state(services, query)
    with pytest.raises(InvalidInputError) as err:
        await services.account_security.report_fraud(PRIYA.id, ids, description)
    assert err.value.code is code
    assert await account_state(services, query) == before


# --- lock ------------------------------------------------------------------------------------------------------


async def test_lock_sets_the_lock_and_expires_open_reset_links(services: Services, query: Query) -> None:
    sent = await services.account_security.send_password_reset(PRIYA.id)
    assert not await services.account_security.is_security_locked(PRIYA.id)

    locked_at = await services.account_security.lock_account(PRIYA.id, " Someone else is using my card ")

    assert locked_at == FIXED_NOW and sent.expires_at > FIXED_NOW
    assert await services.account_security.is_security_locked(PRIYA.id)
    assert not await services.account_security.is_security_locked(AVA.id)
    assert await query(services, "select security_locked_at, security_lock_reason from customers where id = :c",
                       c=PRIYA.id) == [("2026-11-18 15:00:00.000000", "Someone else is using my card")]  # fmt: skip
    assert await query(services, "select expires_at from password_resets") == [("2026-11-18 15:00:00.000000",)]
    assert await query(services, "select id, customer_id, kind, charge_ids, description from security_cases") == [
        ("SEC-820001", PRIYA.id, "account_lock", "[]", "Someone else is using my card")
    ]
    with pytest.raises(InvalidStateError) as err:
        await services.account_security.check_lock(PRIYA.id, "again")
    assert facts(err.value) == (ErrorCode.ACCOUNT_ALREADY_LOCKED, {"locked_at": FIXED_NOW})
    with pytest.raises(InvalidStateError):
        await services.account_security.lock_account(PRIYA.id, "again")


@pytest.mark.parametrize(
    ("customer", "reason", "error", "code"),
    [
        (PRIYA.id, "", InvalidInputError, ErrorCode.FIELD_MISSING),
        (PRIYA.id, "x" * 201, InvalidInputError, ErrorCode.FIELD_TOO_LONG),
        ("CUS-9999", "stolen card", NotFoundError, ErrorCode.CUSTOMER_NOT_FOUND),
    ],
)
async def test_refused_locks_write_nothing(
    services: Services, query: Query, customer: str, reason: str, error: type[ServiceError], code: ErrorCode
) -> None:
    before = await account_state(services, query)
    with pytest.raises(error) as err:
        await services.account_security.lock_account(customer, reason)
    assert err.value.code is code
    assert await account_state(services, query) == before


# --- password reset ------------------------------------------------------------------------------------------


async def test_a_password_reset_goes_to_the_email_on_file_and_expires_in_30_minutes(
    services: Services, query: Query
) -> None:
    assert await services.account_security.check_password_reset(AVA.id) == "a***@example.com"
    sent = await services.account_security.send_password_reset(AVA.id)

    assert (sent.sent_to, sent.expires_at) == ("a***@example.com", FIXED_NOW + RESET_TTL)
    assert AVA.email not in repr(sent)
    ((sent_to, digest, created, expires),) = await query(
        services, "select sent_to, token_digest, created_at, expires_at from password_resets"
    )
    assert (sent_to, created, expires) == (AVA.email, "2026-11-18 15:00:00.000000", "2026-11-18 15:30:00.000000")
    assert re.fullmatch(r"[0-9a-f]{64}", digest)


async def test_one_open_reset_link_at_a_time(open_at: OpenAt, query: Query) -> None:
    now = await open_at()
    await now.account_security.send_password_reset(MARCUS.id)
    with pytest.raises(InvalidStateError) as err:
        await now.account_security.check_password_reset(MARCUS.id)
    assert facts(err.value) == (
        ErrorCode.RESET_RECENTLY_SENT,
        {"sent_to": "m***@example.com", "expires_at": FIXED_NOW + RESET_TTL},
    )
    with pytest.raises(InvalidStateError):
        await now.account_security.send_password_reset(MARCUS.id)

    later = await open_at(FIXED_NOW + RESET_TTL + dt.timedelta(minutes=1))
    await later.account_security.send_password_reset(MARCUS.id)
    assert await query(later, "select count(*) from password_resets") == [(2,)]


# --- preferences -------------------------------------------------------------------------------------------------


async def test_seeded_preferences(services: Services) -> None:
    assert await services.personalization.preferences(AVA.id) == [
        PreferenceView("favourite_category", "fashion"),
        PreferenceView("clothing_size", "M"),
        PreferenceView("colour", "navy"),
    ]
    assert await services.personalization.preferences(MARCUS.id) == [
        PreferenceView("favourite_category", "electronics"),
        PreferenceView("budget_max", "30000"),
    ]
    assert await services.personalization.preferences(PRIYA.id) == []


@pytest.mark.parametrize(
    ("key", "said", "value"),
    [
        ("favourite_category", "clothes", "fashion"),
        ("favourite_category", "Books", "books"),
        ("favourite_category", "tech stuff", "electronics"),
        ("favorite category", "kitchen", "home"),
        ("clothing_size", "medium", "M"),
        ("clothing_size", "size M", "M"),
        ("clothing_size", "I usually wear an extra large", "XL"),
        ("clothing_size", "xxl", "XXL"),
        ("shoe_size", "9", "9"),
        ("shoe_size", "nine and a half", "9.5"),
        ("shoe_size", "US 10.5", "10.5"),
        ("budget_max", "150 dollars", "15000"),
        ("budget", "$89.50", "8950"),
        ("colour", "Navy blue", "navy"),
        ("color", "gray", "grey"),
        ("book_format", "audio book", "audiobook"),
        ("book_format", "Kindle", "ebook"),
    ],
)
async def test_preference_values_are_made_canonical(services: Services, key: str, said: str, value: str) -> None:
    pref = await services.personalization.check_preference(key, said)
    assert pref is not None and pref.value == value and pref.key in PREFERENCE_KEYS


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("clothing_size", "gigantic"),
        ("shoe_size", "37"),
        ("shoe_size", "3"),
        ("shoe_size", "9.25"),
        ("budget_max", "a lot"),
        ("budget_max", "50000"),
        ("budget_max", "0"),
        ("colour", "sparkly"),
        ("favourite_category", "cars"),
        ("book_format", "scroll"),
    ],
)
async def test_invalid_preference_values_say_what_is_expected(services: Services, key: str, said: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        await services.personalization.check_preference(key, said)
    assert facts(err.value) == (
        ErrorCode.PREFERENCE_VALUE_INVALID,
        {"key": key, "expected": PREFERENCE_KEYS[key].expected},
    )


async def test_unknown_keys_and_bad_text_are_refused(services: Services) -> None:
    with pytest.raises(InvalidInputError) as err:
        await services.personalization.check_preference("password", "hunter2")
    assert facts(err.value) == (
        ErrorCode.PREFERENCE_KEY_UNKNOWN,
        {"key": "password", "allowed": tuple(PREFERENCE_KEYS)},
    )
    for value, code in [("", ErrorCode.FIELD_MISSING), ("x" * 81, ErrorCode.FIELD_TOO_LONG),
                        ("M\x00", ErrorCode.TEXT_NOT_ENCODABLE), (9, ErrorCode.NOT_TEXT)]:  # fmt: skip
        with pytest.raises(InvalidInputError) as err:
            await services.personalization.check_preference("clothing_size", value)  # type: ignore[arg-type]
        assert err.value.code is code


async def test_a_preference_is_saved_replaced_and_removed(services: Services, query: Query) -> None:
    assert await services.personalization.set_preference(PRIYA.id, "shoe_size", "eight") == PreferenceView(
        "shoe_size", "8"
    )
    await services.personalization.set_preference(PRIYA.id, "shoe_size", "8.5")
    assert await query(services, "select key, value from preferences where customer_id = :c", c=PRIYA.id) == [
        ("shoe_size", "8.5")
    ]
    assert await services.personalization.set_preference(PRIYA.id, "shoe_size", "none") is None
    assert await services.personalization.set_preference(AVA.id, "colour", "clear") is None
    assert await services.personalization.preferences(PRIYA.id) == []
    assert [p.key for p in await services.personalization.preferences(AVA.id)] == [
        "favourite_category",
        "clothing_size",
    ]
    # Marcus's are untouched.
    assert len(await services.personalization.preferences(MARCUS.id)) == 2


async def test_a_preferred_brand_is_one_the_catalogue_sells(services: Services, query: Query) -> None:
    brands = [b for (b,) in await query(services, "select distinct brand from products where brand <> '' "
                                                  "order by brand")]  # fmt: skip
    if not brands:
        pytest.skip("the catalogue has no brands")
    brand = brands[0]
    pref = await services.personalization.check_preference("preferred_brand", brand.lower())
    assert pref == PreferenceView("preferred_brand", brand)
    with pytest.raises(InvalidInputError) as err:
        await services.personalization.check_preference("preferred_brand", "Zzyzx Qwerty")
    assert err.value.code is ErrorCode.PREFERENCE_VALUE_INVALID


# --- behaviour -----------------------------------------------------------------------------------------------------


async def test_behaviour_is_recorded_per_call_and_capped(services: Services, query: Query) -> None:
    sku = (await query(services, "select sku from products where category = 'books' order by sku limit 1"))[0][0]
    assert await services.personalization.track(AVA.id, "call-a", kind="viewed", sku=sku) == 1
    assert await services.personalization.track(AVA.id, "call-a", kind="asked", query=" waterproof boots ") == 2
    for n in range(3, MAX_EVENTS_PER_CALL + 1):
        assert await services.personalization.track(AVA.id, "call-a", kind="asked", query=f"thing {n}") == n
    with pytest.raises(InvalidInputError) as err:
        await services.personalization.track(AVA.id, "call-a", kind="asked", query="one more")
    assert facts(err.value) == (ErrorCode.BEHAVIOR_LIMIT_REACHED, {"limit": MAX_EVENTS_PER_CALL})
    assert await services.personalization.track(AVA.id, "call-b", kind="asked", query="new call") == 1

    rows = await query(
        services, "select customer_id, call_id, kind, sku, query from behavior_events order by id limit 2"
    )
    assert rows == [(AVA.id, "call-a", "viewed", sku, ""), (AVA.id, "call-a", "asked", None, "waterproof boots")]
    await services.personalization.forget_call("call-a")
    assert await query(services, "select call_id from behavior_events") == [("call-b",)]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"kind": "viewed"}, ErrorCode.FIELD_MISSING),
        ({"kind": "stolen", "query": "x"}, ErrorCode.PREFERENCE_VALUE_INVALID),
        ({"kind": "asked", "query": "x" * 121}, ErrorCode.FIELD_TOO_LONG),
        ({"kind": "asked", "query": "\ud800"}, ErrorCode.TEXT_NOT_ENCODABLE),
    ],
)
async def test_malformed_behaviour_is_refused(
    services: Services, query: Query, kwargs: dict[str, Any], code: ErrorCode
) -> None:
    with pytest.raises(InvalidInputError) as err:
        await services.personalization.track(AVA.id, "call-a", **kwargs)
    assert err.value.code is code
    assert await query(services, "select count(*) from behavior_events") == [(0,)]


# --- recommendations ------------------------------------------------------------------------------------------------


async def _bought(services: Services, query: Query, customer: str) -> set[str]:
    rows = await query(
        services,
        "select i.sku from order_items i join orders o on o.id = i.order_id where o.customer_id = :c",
        c=customer,
    )
    return {r[0] for r in rows}


async def test_recommendations_follow_the_favourite_category_and_skip_what_was_bought(
    services: Services, query: Query
) -> None:
    picks = await services.personalization.recommendations(AVA.id, limit=5)

    assert len(picks) == 5
    assert not {p.sku for p in picks} & await _bought(services, query, AVA.id)
    assert {p.category for p in picks} == {"fashion"}
    assert all("fashion is their favourite category" in p.reasons for p in picks)
    assert "in their size M" in picks[0].reasons and "comes in navy" in picks[0].reasons
    kinds = await query(services, "select sku, kind from products where category = 'fashion'")
    kind_of: dict[str, str] = {sku: kind for sku, kind in kinds}
    assert len({kind_of[p.sku] for p in picks}) == 5, "one product per kind"
    in_stock = await query(services, "select sku from products where stock > 0")
    assert {p.sku for p in picks} <= {r[0] for r in in_stock}


async def test_a_budget_excludes_dearer_products(services: Services) -> None:
    picks = await services.personalization.recommendations(MARCUS.id, limit=5)
    assert picks and all(p.price_cents <= 30000 for p in picks)
    assert picks[0].category == "electronics"


async def test_recommendations_within_one_category(services: Services) -> None:
    picks = await services.personalization.recommendations(PRIYA.id, category="books", limit=3)
    assert picks and {p.category for p in picks} == {"books"}
    with pytest.raises(InvalidInputError) as err:
        await services.personalization.recommendations(PRIYA.id, category="cars")
    assert err.value.code is ErrorCode.PREFERENCE_VALUE_INVALID


async def test_recommendations_learn_from_saved_preferences_and_behaviour(services: Services, query: Query) -> None:
    before = await services.personalization.recommendations(PRIYA.id, limit=3)
    await services.personalization.set_preference(PRIYA.id, "favourite_category", "books")
    after = await services.personalization.recommendations(PRIYA.id, limit=3)
    assert {p.category for p in after} == {"books"}
    assert before != after or {p.category for p in before} == {"books"}

    home = (await query(services, "select sku from products where category = 'home' and stock > 0 and sku not in "
                                  "('HOM-4002') order by sku limit 1"))[0][0]  # fmt: skip
    for _ in range(3):
        await services.personalization.track(PRIYA.id, "call-x", kind="viewed", sku=home)
    picks = await services.personalization.recommendations(PRIYA.id, category="home", limit=3)
    assert picks[0].sku == home and "they looked at it before" in picks[0].reasons


async def test_suggestions_match_the_need(services: Services, query: Query) -> None:
    picks = await services.personalization.suggest(PRIYA.id, "a gift for a friend who loves cooking")
    assert len(picks) == 3 and {p.category for p in picks} <= {"home", "books"}
    assert all(p.reasons[0].startswith("fits the need: ") for p in picks), picks
    assert "HOM-4002" not in {p.sku for p in picks}  # her own skillet

    hike = await services.personalization.suggest(AVA.id, "something for a rainy hike", limit=5)
    assert hike and all(p.reasons[0] == "fits the need: rain jacket" for p in hike), hike
    assert "FSH-2001" not in {p.sku for p in hike}  # she bought the Alpine rain jacket
    assert "fashion is their favourite category" in hike[0].reasons and "in their size M" in hike[0].reasons
    assert await services.personalization.suggest(PRIYA.id, "xylophone quartz zebra") == []
    with pytest.raises(InvalidInputError) as err:
        await services.personalization.suggest(PRIYA.id, "")
    assert err.value.code is ErrorCode.FIELD_MISSING
