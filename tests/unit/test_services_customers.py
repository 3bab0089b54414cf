"""CustomerService: four-factor verification, lockout, secrets kept as digests, address, offer answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from services import InvalidInputError, LockedOutError, NotFoundError, Services
from services.customers import LOCKOUT, MAX_FAILED_ATTEMPTS, VerificationResult
from services.demo_data import AVA, MARCUS, PRIYA, DemoCustomer
from services.errors import ErrorCode
from services.security import digest_secret, secrets_match
from services.views import AddressView, CustomerView
from worker.testing import FIXED_NOW, TEST_SALT

pytestmark = pytest.mark.unit

Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]
FAILED = VerificationResult(customer=None, address=None)


def factors(customer: DemoCustomer = AVA, **overrides: Any) -> dict[str, Any]:
    """The four verification factors of ``customer`` (SSN variant), with some replaced."""
    base: dict[str, Any] = {
        "first_name": customer.first_name,
        "phone": customer.phone,
        "date_of_birth": customer.date_of_birth,
        "last4": customer.ssn_last4,
        "kind": "ssn",
    }
    return base | overrides


@pytest.mark.asyncio
@pytest.mark.parametrize("first_name", ["Ava", "ava", "AVA", "  aVa  "])
async def test_verify_succeeds_with_the_four_factors_whatever_the_case_of_the_name(
    services: Services, first_name: str
) -> None:
    result = await services.customers.verify(**factors(first_name=first_name))

    assert result.customer == CustomerView("CUS-1001", "Ava", "Thompson", "gold")
    assert result.address == AddressView("221 Pine Street", "San Francisco", "CA", "94104")


@pytest.mark.asyncio
async def test_verify_accepts_the_card_digits_as_the_card_factor(services: Services) -> None:
    result = await services.customers.verify(**factors(last4=AVA.card_last4, kind="card"))

    assert result.customer is not None and result.customer.id == AVA.id


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param({"first_name": "Eva"}, id="first-name"),
        pytest.param({"phone": "+14155550199"}, id="phone-unknown"),
        pytest.param({"phone": MARCUS.phone}, id="phone-of-another-customer"),
        pytest.param({"date_of_birth": dt.date(1988, 4, 13)}, id="date-of-birth"),
        pytest.param({"last4": "4822"}, id="last-four"),
        pytest.param({"last4": AVA.card_last4}, id="card-digits-given-as-ssn"),
        pytest.param({"last4": AVA.ssn_last4, "kind": "card"}, id="ssn-digits-given-as-card"),
    ],
)
async def test_each_wrong_factor_fails_without_saying_which(services: Services, wrong: dict[str, Any]) -> None:
    result = await services.customers.verify(**factors(**wrong))

    # The whole result carries no field that could tell the caller which factor was wrong.
    assert result == FAILED
    assert [f.name for f in dataclasses.fields(result)] == ["customer", "address", "locked"]


@pytest.mark.asyncio
async def test_three_failures_lock_the_account_even_against_the_right_data(services: Services, query: Query) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS):
        assert await services.customers.verify(**factors(last4="0000")) == FAILED

    with pytest.raises(LockedOutError) as locked:
        await services.customers.verify(**factors())

    assert locked.value.code is ErrorCode.ACCOUNT_LOCKED
    assert dict(locked.value.details) == {"locked_until": FIXED_NOW + LOCKOUT}
    assert "4821" not in str(locked.value)
    assert await query(services, "select locked_until from customers where id = :id", id=AVA.id) == [
        ("2026-11-18 15:30:00.000000",)
    ]
    # Marcus is unaffected by Ava's lock.
    assert (await services.customers.verify(**factors(MARCUS))).customer is not None


@pytest.mark.asyncio
async def test_two_failures_do_not_lock_and_a_success_resets_the_count(services: Services, query: Query) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        await services.customers.verify(**factors(last4="0000"))
    assert (await services.customers.verify(**factors())).customer is not None
    assert await query(
        services, "select failed_auth_attempts, locked_until from customers where id = :id", id=AVA.id
    ) == [(0, None)]

    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        await services.customers.verify(**factors(last4="0000"))
    assert (await services.customers.verify(**factors())).customer is not None


@pytest.mark.asyncio
async def test_failures_on_an_unknown_phone_lock_nobody(services: Services, query: Query) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS + 2):
        assert await services.customers.verify(**factors(phone="+14155550199")) == FAILED

    assert await query(services, "select count(*) from customers where locked_until is not null") == [(0,)]
    assert await query(services, "select count(*) from auth_attempts where customer_id is null") == [(5,)]


@pytest.mark.asyncio
async def test_the_lock_expires_after_thirty_minutes(
    services: Services, open_at: Callable[..., Awaitable[Services]]
) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS):
        await services.customers.verify(**factors(last4="0000"))

    just_before = await open_at(FIXED_NOW + LOCKOUT - dt.timedelta(seconds=1))
    with pytest.raises(LockedOutError):
        await just_before.customers.verify(**factors())

    after = await open_at(FIXED_NOW + LOCKOUT + dt.timedelta(minutes=1))
    result = await after.customers.verify(**factors())
    assert result.customer is not None and result.customer.id == AVA.id
    assert LOCKOUT == dt.timedelta(minutes=30)


@pytest.mark.asyncio
async def test_auth_attempts_record_outcomes_but_never_the_digits(services: Services, query: Query) -> None:
    await services.customers.verify(**factors())
    await services.customers.verify(**factors(last4="1357"))
    await services.customers.verify(**factors(last4=AVA.card_last4, kind="card"))

    attempts = await query(services, "select * from auth_attempts order by id")
    assert [(a[1], bool(a[2]), a[3]) for a in attempts] == [
        (AVA.id, True, "ssn"),
        (AVA.id, False, "ssn"),
        (AVA.id, True, "card"),
    ]
    for attempt in attempts:
        for value in attempt:
            for secret in ("4821", "1357", "7702"):
                assert secret not in str(value)


@pytest.mark.asyncio
async def test_secrets_are_stored_only_as_salted_digests(services: Services, query: Query) -> None:
    [(ssn_digest, card_digest)] = await query(
        services, "select ssn_last4_digest, card_last4_digest from customers where id = :id", id=AVA.id
    )

    assert ssn_digest != AVA.ssn_last4 and card_digest != AVA.card_last4
    assert len(ssn_digest) == 64 and int(ssn_digest, 16) >= 0
    assert ssn_digest == digest_secret(AVA.ssn_last4, salt=TEST_SALT, customer_id=AVA.id)
    assert secrets_match(AVA.card_last4, card_digest, salt=TEST_SALT, customer_id=AVA.id)
    assert await query(
        services,
        "select count(*) from customers where ssn_last4_digest in ('4821', '3390', '6604') "
        "or card_last4_digest in ('7702', '5518', '9021')",
    ) == [(0,)]


def test_equal_digits_hash_differently_per_customer_and_per_salt() -> None:
    ava = digest_secret("4821", salt="s1", customer_id=AVA.id)

    assert ava != digest_secret("4821", salt="s1", customer_id=MARCUS.id)
    assert ava != digest_secret("4821", salt="s2", customer_id=AVA.id)
    assert not secrets_match("4822", ava, salt="s1", customer_id=AVA.id)


@pytest.mark.asyncio
async def test_a_different_salt_cannot_verify_anyone(open_at: Callable[..., Awaitable[Services]]) -> None:
    wrong_salt = await open_at(salt="not-the-seeding-salt")

    assert await wrong_salt.customers.verify(**factors()) == FAILED


@pytest.mark.asyncio
async def test_save_address_replaces_the_address_trimmed_and_normalised(services: Services, query: Query) -> None:
    saved = await services.customers.save_address(
        AVA.id, line1="  12 Oak Avenue, Apt 3 ", city=" Oakland ", region="ca", postal_code=" 94607 "
    )

    assert saved == AddressView("12 Oak Avenue, Apt 3", "Oakland", "CA", "94607")
    assert await services.customers.get_address(AVA.id) == saved
    assert await query(services, "select count(*) from addresses where customer_id = :id", id=AVA.id) == [(1,)]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("fields", "code", "details"),
    [
        pytest.param({"postal_code": "9410"}, ErrorCode.BAD_ZIP, {"field": "ZIP code"}, id="zip-four-digits"),
        pytest.param({"postal_code": "941045"}, ErrorCode.BAD_ZIP, {"field": "ZIP code"}, id="zip-six-digits"),
        pytest.param({"postal_code": "94I04"}, ErrorCode.BAD_ZIP, {"field": "ZIP code"}, id="zip-letter"),
        pytest.param({"postal_code": "94104-1234"}, ErrorCode.BAD_ZIP, {"field": "ZIP code"}, id="zip-plus-four"),
        pytest.param(
            {"postal_code": "９４１０４"}, ErrorCode.BAD_ZIP, {"field": "ZIP code"}, id="zip-fullwidth-digits"
        ),
        pytest.param({"line1": ""}, ErrorCode.FIELD_MISSING, {"field": "street", "max_len": 120}, id="street-empty"),
        pytest.param({"line1": "   "}, ErrorCode.FIELD_MISSING, {"field": "street", "max_len": 120}, id="street-blank"),
        pytest.param(
            {"line1": "x" * 121},
            ErrorCode.FIELD_TOO_LONG,
            {"field": "street", "max_len": 120, "length": 121},
            id="street-too-long",
        ),
        pytest.param({"city": ""}, ErrorCode.FIELD_MISSING, {"field": "city", "max_len": 60}, id="city-empty"),
        pytest.param(
            {"city": "y" * 61},
            ErrorCode.FIELD_TOO_LONG,
            {"field": "city", "max_len": 60, "length": 61},
            id="city-longer-than-its-column",
        ),
        pytest.param({"region": " "}, ErrorCode.FIELD_MISSING, {"field": "state", "max_len": 32}, id="state-blank"),
    ],
)
async def test_save_address_refuses_bad_fields_and_leaves_the_row_unchanged(
    services: Services, query: Query, fields: dict[str, str], code: ErrorCode, details: dict[str, Any]
) -> None:
    sql = "select * from addresses where customer_id = :id"
    before = await query(services, sql, id=AVA.id)
    good = {"line1": "12 Oak Avenue", "city": "Oakland", "region": "CA", "postal_code": "94607"}

    with pytest.raises(InvalidInputError) as refused:
        await services.customers.save_address(AVA.id, **(good | fields))

    assert (refused.value.code, dict(refused.value.details)) == (code, details)
    assert await query(services, sql, id=AVA.id) == before


@pytest.mark.asyncio
async def test_save_address_of_an_unknown_customer_is_not_found(services: Services, query: Query) -> None:
    with pytest.raises(NotFoundError) as missing:
        await services.customers.save_address(
            "CUS-9999", line1="1 Main St", city="Reno", region="NV", postal_code="89501"
        )

    assert (missing.value.code, dict(missing.value.details)) == (
        ErrorCode.CUSTOMER_NOT_FOUND,
        {"customer_id": "CUS-9999"},
    )

    assert await query(services, "select count(*) from addresses where customer_id = 'CUS-9999'") == [(0,)]


@pytest.mark.asyncio
async def test_offer_response_is_recorded_with_the_disclosure_proof(services: Services, query: Query) -> None:
    await services.customers.record_offer_response(
        AVA.id, offer_id="a-592", response="REMIND_LATER", disclosure_completed=False, disclosure_played_pct=64
    )

    assert await query(
        services,
        "select customer_id, offer_id, response, disclosure_completed, disclosure_played_pct, at from offer_responses",
    ) == [(AVA.id, "a-592", "REMIND_LATER", 0, 64, "2026-11-18 15:00:00.000000")]


@pytest.mark.asyncio
async def test_step_up_accepts_the_ssn_or_card_last_four_and_audits_every_attempt(
    services: Services, query: Query
) -> None:
    assert await services.customers.step_up(AVA.id, AVA.ssn_last4)
    assert await services.customers.step_up(AVA.id, AVA.card_last4)
    assert not await services.customers.step_up(AVA.id, "0000")
    assert not await services.customers.step_up(AVA.id, "48a1")

    rows = await query(
        services, "select succeeded, factor from auth_attempts where customer_id = :c order by id", c=AVA.id
    )
    assert [(bool(ok), factor) for ok, factor in rows] == [
        (True, "step_up"),
        (True, "step_up"),
        (False, "step_up"),
        (False, "step_up"),
    ]


@pytest.mark.asyncio
async def test_failed_step_ups_count_towards_the_lockout(services: Services) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS):
        assert not await services.customers.step_up(MARCUS.id, "0000")
    with pytest.raises(LockedOutError):
        await services.customers.verify(**factors(MARCUS))


@pytest.mark.asyncio
async def test_right_digits_do_not_pass_a_step_up_while_locked_out(services: Services, query: Query) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS):
        assert not await services.customers.step_up(PRIYA.id, "0000")
    assert not await services.customers.step_up(PRIYA.id, PRIYA.card_last4)
    rows = await query(services, "select succeeded from auth_attempts where customer_id = :c", c=PRIYA.id)
    assert [bool(r[0]) for r in rows] == [False] * (MAX_FAILED_ATTEMPTS + 1)


@pytest.mark.asyncio
async def test_step_up_of_an_unknown_customer_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError):
        await services.customers.step_up("CUS-9999", "1234")
