"""CallStateService: saved call state for resuming dropped calls (keyed by a salted digest of the caller)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from services import InvalidInputError, Services
from services.calls import KEY_DOMAIN, MAX_STATE_CHARS, CallStateError, ResumeIdentity, SavedCall
from services.customers import MAX_FAILED_ATTEMPTS
from services.demo_data import AVA, MARCUS
from services.errors import ErrorCode
from services.security import digest_secret
from services.views import AddressView, CustomerView
from worker.testing import FIXED_NOW, TEST_SALT

pytestmark = pytest.mark.unit

Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]
OpenAt = Callable[..., Awaitable[Services]]

KEY = "phone:+14155550134"
WINDOW = dt.timedelta(minutes=10)
STATE: dict[str, Any] = {
    "version": 1,
    "agent": "returns",
    "customer_id": "CUS-1001",
    "intent": "I want to return a jacket",
    "actions": ["Identity verified", "Loyalty offer a-592: DECLINED"],
    "pending": {"agent": "returns", "request": "open a return", "tool": "initiate_return", "arguments": {}},
    "offer_answer": "DECLINED",
    "disclosure_completed": True,
    "transfers": 1,
}


async def dropped(services: Services, call_id: str = "call00000001", key: str = KEY, **state: Any) -> None:
    """Save ``STATE`` (with ``state`` overrides) for ``call_id`` and close it as dropped."""
    await services.calls.save(key, call_id, STATE | state)
    assert await services.calls.mark_closed(call_id, completed=False)


# --- save, find, close ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_dropped_call_is_found_within_the_window_with_its_state(services: Services, open_at: OpenAt) -> None:
    await dropped(services)
    later = await open_at(FIXED_NOW + dt.timedelta(minutes=9, seconds=59))

    found = await later.calls.find_resumable(KEY, WINDOW)

    assert found == SavedCall(call_id="call00000001", state=STATE, ended_at=FIXED_NOW)
    assert found is not None and found.customer_id == "CUS-1001"


@pytest.mark.asyncio
async def test_outside_the_window_nothing_is_found(services: Services, open_at: OpenAt) -> None:
    await dropped(services)
    later = await open_at(FIXED_NOW + dt.timedelta(minutes=10, seconds=1))

    assert await later.calls.find_resumable(KEY, WINDOW) is None
    assert await later.calls.find_resumable(KEY, dt.timedelta(minutes=11)) is not None


@pytest.mark.asyncio
async def test_a_running_call_is_not_resumable(services: Services) -> None:
    await services.calls.save(KEY, "call00000001", STATE)

    assert await services.calls.find_resumable(KEY, WINDOW) is None


@pytest.mark.asyncio
async def test_a_call_that_ended_normally_is_not_offered_and_its_state_is_emptied(
    services: Services, query: Query
) -> None:
    await services.calls.save(KEY, "call00000001", STATE)

    assert await services.calls.mark_closed("call00000001", completed=True)

    assert await services.calls.find_resumable(KEY, WINDOW) is None
    assert await query(services, "select status, state from saved_calls") == [("closed", "{}")]


@pytest.mark.asyncio
async def test_declining_closes_a_dropped_call(services: Services, query: Query) -> None:
    await dropped(services)

    assert await services.calls.mark_closed("call00000001", completed=True)

    assert await services.calls.find_resumable(KEY, WINDOW) is None
    assert await query(services, "select status from saved_calls") == [("closed",)]


@pytest.mark.asyncio
async def test_a_closed_call_is_never_reopened_by_a_late_save_or_close(services: Services, query: Query) -> None:
    await services.calls.save(KEY, "call00000001", STATE)
    await services.calls.mark_closed("call00000001", completed=True)

    await services.calls.save(KEY, "call00000001", STATE)
    assert not await services.calls.mark_closed("call00000001", completed=False)

    assert await query(services, "select status, state from saved_calls") == [("closed", "{}")]


@pytest.mark.asyncio
async def test_save_updates_the_running_call(services: Services, open_at: OpenAt, query: Query) -> None:
    await services.calls.save(KEY, "call00000001", STATE)
    later = await open_at(FIXED_NOW + dt.timedelta(minutes=1))

    await later.calls.save(KEY, "call00000001", STATE | {"agent": "order_tracking", "transfers": 2})

    ((state, created, updated),) = await query(services, "select state, created_at, updated_at from saved_calls")
    assert json.loads(state)["agent"] == "order_tracking" and json.loads(state)["transfers"] == 2
    assert (created, updated) == ("2026-11-18 15:00:00.000000", "2026-11-18 15:01:00.000000")


@pytest.mark.asyncio
async def test_the_latest_dropped_call_of_the_caller_is_found(services: Services, open_at: OpenAt) -> None:
    await dropped(services, "call00000001", agent="returns")
    later = await open_at(FIXED_NOW + dt.timedelta(minutes=3))
    await dropped(later, "call00000002", agent="order_tracking")
    await dropped(later, "call00000003", key="phone:+13125550178", customer_id="CUS-1002")

    found = await later.calls.find_resumable(KEY, WINDOW)

    assert found is not None and (found.call_id, found.state["agent"]) == ("call00000002", "order_tracking")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "other",
    ["phone:+13125550178", "web:+14155550134", "phone:+1415555013", "PHONE:+14155550134"],
)
async def test_another_caller_key_finds_nothing(services: Services, other: str) -> None:
    await dropped(services)

    assert await services.calls.find_resumable(other, WINDOW) is None


@pytest.mark.asyncio
async def test_the_caller_key_is_stored_only_as_a_salted_digest(
    services: Services, open_at: OpenAt, query: Query
) -> None:
    await dropped(services)

    ((digest,),) = await query(services, "select caller_digest from saved_calls")
    assert digest == digest_secret(KEY, salt=TEST_SALT, customer_id=KEY_DOMAIN) == services.calls.caller_digest(KEY)
    assert len(digest) == 64 and "4155550134" not in digest
    rows = await query(services, "select * from saved_calls")
    assert not any("4155550134" in str(v) or "Ava" in str(v) for v in rows[0])
    # Without the deployment's salt the digest cannot be recomputed, so nothing is found.
    other_salt = await open_at(salt="another-salt")
    assert await other_salt.calls.find_resumable(KEY, WINDOW) is None


# --- taking a dropped call over --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_dropped_call_is_resumed_once_and_its_state_emptied(services: Services, query: Query) -> None:
    await dropped(services)

    assert await services.calls.mark_resumed("call00000001", by_call_id="call00000002")
    assert not await services.calls.mark_resumed("call00000001", by_call_id="call00000003")

    assert await services.calls.find_resumable(KEY, WINDOW) is None
    assert await query(services, "select status, resumed_by, state from saved_calls") == [
        ("resumed", "call00000002", "{}")
    ]
    assert not await services.calls.mark_closed("call00000001", completed=True), "a resumed call stays resumed"


@pytest.mark.asyncio
async def test_two_workers_racing_to_resume_one_call_only_one_wins(services: Services, open_at: OpenAt) -> None:
    await dropped(services)
    other_worker = await open_at()

    results = await asyncio.gather(
        services.calls.mark_resumed("call00000001", by_call_id="callA"),
        other_worker.calls.mark_resumed("call00000001", by_call_id="callB"),
    )

    assert sorted(results) == [False, True]


@pytest.mark.asyncio
@pytest.mark.parametrize("status", ["active", "closed"])
async def test_only_a_dropped_call_can_be_resumed(services: Services, status: str) -> None:
    await services.calls.save(KEY, "call00000001", STATE)
    if status == "closed":
        await services.calls.mark_closed("call00000001", completed=True)

    assert not await services.calls.mark_resumed("call00000001", by_call_id="call00000002")
    assert not await services.calls.mark_resumed("nosuchcall", by_call_id="call00000002")


# --- retention -------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_purge_deletes_calls_not_updated_for_the_retention(
    services: Services, open_at: OpenAt, query: Query
) -> None:
    await dropped(services, "call00000001")
    later = await open_at(FIXED_NOW + dt.timedelta(hours=20))
    await later.calls.save(KEY, "call00000002", STATE)

    day_later = await open_at(FIXED_NOW + dt.timedelta(hours=24, seconds=1))
    assert await day_later.calls.purge(dt.timedelta(days=1)) == 1

    assert await query(services, "select call_id from saved_calls") == [("call00000002",)]


# --- the customer record of the re-verification ---------------------------------------------------------


@pytest.mark.asyncio
async def test_resume_identity_reads_the_record(services: Services) -> None:
    assert await services.calls.resume_identity("CUS-1001") == ResumeIdentity(
        customer=CustomerView("CUS-1001", "Ava", "Thompson", "gold"),
        phone=AVA.phone,
        address=AddressView("221 Pine Street", "San Francisco", "CA", "94104"),
        locked=False,
    )
    assert await services.calls.resume_identity("CUS-9999") is None


@pytest.mark.asyncio
async def test_resume_identity_tells_a_locked_account(services: Services, open_at: OpenAt) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS):
        assert not await services.customers.step_up(MARCUS.id, "0000")
    assert (await services.calls.resume_identity(MARCUS.id)).locked  # type: ignore[union-attr]
    an_hour_later = await open_at(FIXED_NOW + dt.timedelta(hours=1))
    assert not (await an_hour_later.calls.resume_identity(MARCUS.id)).locked  # type: ignore[union-attr]

    await services.account_security.lock_account(AVA.id, "caller asked")
    assert (await services.calls.resume_identity(AVA.id)).locked  # type: ignore[union-attr]


# --- refused input ---------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("key", "code"),
    [
        pytest.param("", ErrorCode.FIELD_MISSING, id="empty"),
        pytest.param("   ", ErrorCode.FIELD_MISSING, id="blank"),
        pytest.param("web:" + "x" * 300, ErrorCode.FIELD_TOO_LONG, id="too-long"),
        pytest.param("web:a\x00b", ErrorCode.TEXT_NOT_ENCODABLE, id="nul"),
        pytest.param("web:\ud800", ErrorCode.TEXT_NOT_ENCODABLE, id="lone-surrogate"),
        pytest.param(4155550134, ErrorCode.NOT_TEXT, id="number"),
    ],
)
async def test_a_bad_caller_key_is_refused(services: Services, query: Query, key: Any, code: ErrorCode) -> None:
    with pytest.raises(InvalidInputError) as err:
        await services.calls.save(key, "call00000001", STATE)
    assert err.value.code is code
    with pytest.raises(InvalidInputError):
        await services.calls.find_resumable(key, WINDOW)
    assert await query(services, "select count(*) from saved_calls") == [(0,)]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("state", "problem"),
    [
        pytest.param(["not", "a", "dict"], "not_a_mapping", id="list"),
        pytest.param(STATE | {"phone": "+14155550134"}, "unknown_keys", id="extra-key-phone"),
        pytest.param(STATE | {"first_name": "Ava"}, "unknown_keys", id="extra-key-name"),
        pytest.param(STATE | {"transfers": {1, 2}}, "not_json", id="a-set"),
        pytest.param(STATE | {"transfers": float("nan")}, "not_json", id="nan"),
        pytest.param(STATE | {"intent": "x" * MAX_STATE_CHARS}, "too_large", id="too-large"),
        pytest.param(STATE | {"intent": "a\x00b"}, "not_storable", id="nul"),
        pytest.param(STATE | {"actions": ["\ud800"]}, "not_storable", id="lone-surrogate"),
    ],
)
async def test_a_bad_state_is_refused(services: Services, query: Query, state: Any, problem: str) -> None:
    with pytest.raises(CallStateError) as err:
        await services.calls.save(KEY, "call00000001", state)

    assert err.value.code is ErrorCode.DATA_REJECTED and err.value.details["problem"] == problem
    assert await query(services, "select count(*) from saved_calls") == [(0,)]


@pytest.mark.asyncio
@pytest.mark.parametrize("call_id", ["", "x" * 17, "call 1", "call'1", None, 12])
async def test_a_bad_call_id_is_refused(services: Services, call_id: Any) -> None:
    for attempt in (
        services.calls.save(KEY, call_id, STATE),
        services.calls.mark_closed(call_id, completed=False),
        services.calls.mark_resumed(call_id, by_call_id="call00000002"),
        services.calls.mark_resumed("call00000001", by_call_id=call_id),
    ):
        with pytest.raises(CallStateError) as err:
            await attempt
        assert err.value.details["problem"] == "bad_call_id"


@pytest.mark.asyncio
@pytest.mark.parametrize("window", [dt.timedelta(0), dt.timedelta(minutes=-5), dt.timedelta(days=8), 10], ids=str)
async def test_a_bad_window_is_refused(services: Services, window: Any) -> None:
    with pytest.raises(CallStateError) as err:
        await services.calls.find_resumable(KEY, window)
    assert err.value.details["problem"] == "bad_window"
    with pytest.raises(CallStateError):
        await services.calls.purge(dt.timedelta(0))
