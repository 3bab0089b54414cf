"""Saved call state, so that a caller whose call dropped can continue it on another call (any worker).

A call's state is upserted while it runs (:meth:`CallStateService.save`) and closed at the end
(:meth:`CallStateService.mark_closed`): ``closed`` when it ended normally (a goodbye), ``dropped``
otherwise. When the same caller comes back within the window, :meth:`CallStateService.find_resumable`
returns the latest dropped call; the desk re-verifies the caller and then takes it over with
:meth:`CallStateService.mark_resumed` (atomic: two workers cannot both resume it).

Privacy: the caller key (phone number, participant identity) is stored only as a salted HMAC
(:func:`services.security.digest_secret`, the construction of the SSN/card digests), and the state may
only carry the keys of :data:`STATE_KEYS` (the customer id is its only identifier; texts are redacted
by :mod:`call.snapshot` before they get here). The state of a closed or resumed call is emptied.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .call_models import SavedCall as SavedCallRow
from .clock import Clock
from .db import Database
from .errors import ErrorCode, InvalidInputError, checked_text, text_problem
from .models import Address, Customer
from .security import digest_secret
from .views import AddressView, CustomerView

STATE_KEYS = frozenset(
    {
        "version",
        "agent",
        "customer_id",
        "intent",
        "actions",
        "pending",
        "offer_answer",
        "disclosure_completed",
        "transfers",
    }
)
"""The only keys a saved state may have (the snapshot format of :mod:`call.snapshot`)."""
MAX_STATE_CHARS = 16_000
"""Largest accepted state, as JSON text (a snapshot is about 1-2 KB)."""
MAX_KEY_CHARS = 256
"""Longest caller key (a LiveKit participant identity is at most 128 characters; E.164 is 16)."""
MAX_WINDOW = dt.timedelta(days=7)
"""Longest window :meth:`CallStateService.find_resumable` accepts."""
KEY_DOMAIN = "saved-call"
"""Binds the caller digest to this table (the SSN/card digests are bound to a customer id instead)."""
_CALL_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")


class CallStateError(InvalidInputError):
    """A saved state, caller key, call id or window that the service refuses (nothing is written).

    Code ``data_rejected`` with ``problem`` in the details (``"not_a_mapping"``, ``"unknown_keys"``,
    ``"not_json"``, ``"too_large"``, ``"not_storable"``, ``"bad_call_id"``, ``"bad_window"``), or the text codes of
    :func:`services.errors.checked_text` for the caller key.
    """


@dataclass(frozen=True)
class SavedCall:
    """A dropped call that may be resumed.

    Attributes:
        call_id: Id of the dropped call.
        state: Its snapshot (keys of :data:`STATE_KEYS`; see :mod:`call.snapshot`).
        ended_at: When it dropped (naive UTC).
    """

    call_id: str
    state: Mapping[str, Any]
    ended_at: dt.datetime

    @property
    def customer_id(self) -> str | None:
        """The customer verified in the dropped call, if the state names one."""
        value = self.state.get("customer_id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class ResumeIdentity:
    """What the shortened re-verification reads from the customer record (never stored in a saved state).

    Attributes:
        customer: The customer.
        phone: E.164 number on the record (compared with what the caller says, or with the caller's number).
        address: Address on file, if any.
        locked: Locked after failed identity checks (until a time in the future) or by the security desk.
    """

    customer: CustomerView
    phone: str
    address: AddressView | None
    locked: bool


class CallStateService:
    """Saved call state for resuming dropped calls.

    Args:
        db: Database to use.
        clock: Source of "now" (saves, windows).
        salt: Deployment secret that keys the caller digests (``SECRET_SALT``).
    """

    def __init__(self, db: Database, clock: Clock, salt: str) -> None:
        self._db = db
        self._clock = clock
        self._salt = salt

    def caller_digest(self, key: str) -> str:
        """The stored form of a caller key: HMAC-SHA256 under the salt, 64 hex characters.

        Raises:
            InvalidInputError: the key is not text, blank, too long or not storable.
        """
        text = checked_text(key, field="caller key", max_len=MAX_KEY_CHARS)
        return digest_secret(text, salt=self._salt, customer_id=KEY_DOMAIN)

    async def save(self, key: str, call_id: str, state: Mapping[str, Any]) -> None:
        """Create or update the state of a running call (one transaction).

        A call that is no longer ``active`` (closed, dropped, resumed) is not changed.

        Args:
            key: The caller key, e.g. ``"phone:+14155550134"`` (digested, never stored).
            call_id: The call's id (1-16 letters, digits, ``-`` or ``_``).
            state: The snapshot; only the keys of :data:`STATE_KEYS`, JSON-serialisable, at most
                :data:`MAX_STATE_CHARS` as JSON, every text storable.

        Raises:
            CallStateError / InvalidInputError: see :class:`CallStateError`; nothing is written.
        """
        digest = self.caller_digest(key)
        cid = _checked_call_id(call_id)
        clean = _checked_state(state)
        now = self._clock.now()

        async def _save(session: AsyncSession) -> None:
            row = await session.get(SavedCallRow, cid)
            if row is None:
                session.add(
                    SavedCallRow(
                        call_id=cid, caller_digest=digest, status="active", state=clean, created_at=now, updated_at=now
                    )
                )
            elif row.status == "active" and row.caller_digest == digest:
                row.state, row.updated_at = clean, now

        await self._db.run(_save, write=True, conflict_retries=1)

    async def find_resumable(self, key: str, within: dt.timedelta) -> SavedCall | None:
        """The caller's latest call that dropped no longer than ``within`` ago and was not resumed or closed.

        Args:
            key: The caller key (as given to :meth:`save`).
            within: The resume window (more than zero, at most :data:`MAX_WINDOW`).

        Returns:
            The dropped call, or ``None``.

        Raises:
            CallStateError / InvalidInputError: a bad key or window.
        """
        digest = self.caller_digest(key)
        if not isinstance(within, dt.timedelta) or not dt.timedelta(0) < within <= MAX_WINDOW:
            raise CallStateError(ErrorCode.DATA_REJECTED, problem="bad_window")
        since = self._clock.now() - within

        async def _find(session: AsyncSession) -> SavedCall | None:
            row = await session.scalar(
                select(SavedCallRow)
                .where(
                    SavedCallRow.caller_digest == digest,
                    SavedCallRow.status == "dropped",
                    SavedCallRow.ended_at >= since,
                )
                .order_by(SavedCallRow.ended_at.desc(), SavedCallRow.updated_at.desc())
                .limit(1)
            )
            if row is None or row.ended_at is None:
                return None
            return SavedCall(call_id=row.call_id, state=dict(row.state or {}), ended_at=row.ended_at)

        return await self._db.run(_find)

    async def mark_resumed(self, call_id: str, *, by_call_id: str) -> bool:
        """Take over a dropped call (atomic): only one call can ever resume it.

        Args:
            call_id: The dropped call.
            by_call_id: The call that resumes it.

        Returns:
            ``True`` if this call took it over; ``False`` if it is not dropped (any more).

        Raises:
            CallStateError: a bad call id.
        """
        cid, by = _checked_call_id(call_id), _checked_call_id(by_call_id)
        now = self._clock.now()

        async def _take(session: AsyncSession) -> bool:
            result = await session.execute(
                update(SavedCallRow)
                .where(SavedCallRow.call_id == cid, SavedCallRow.status == "dropped")
                .values(status="resumed", resumed_by=by, state={}, updated_at=now)
            )
            return _rowcount(result) == 1

        return await self._db.run(_take, write=True)

    async def mark_closed(self, call_id: str, *, completed: bool) -> bool:
        """End a call's saved state: ``closed`` (completed normally, or declined) or ``dropped`` (resumable).

        An active call becomes ``closed`` or ``dropped``; a dropped one can still be closed (the caller
        declined to resume it); a closed or resumed one does not change.

        Args:
            call_id: The call.
            completed: It ended normally (a goodbye, the desk ended it) or the caller declined to resume it.

        Returns:
            Whether a row changed.

        Raises:
            CallStateError: a bad call id.
        """
        cid = _checked_call_id(call_id)
        now = self._clock.now()
        statuses = ("active", "dropped") if completed else ("active",)
        values: dict[str, Any] = {"status": "closed" if completed else "dropped", "updated_at": now, "ended_at": now}
        if completed:
            values["state"] = {}

        async def _close(session: AsyncSession) -> bool:
            result = await session.execute(
                update(SavedCallRow)
                .where(SavedCallRow.call_id == cid, SavedCallRow.status.in_(statuses))
                .values(**values)
            )
            return _rowcount(result) == 1

        return await self._db.run(_close, write=True)

    async def purge(self, older_than: dt.timedelta) -> int:
        """Delete saved calls not updated for ``older_than`` (retention), whatever their status.

        Returns:
            How many rows were deleted.

        Raises:
            CallStateError: ``older_than`` is not a positive ``timedelta``.
        """
        if not isinstance(older_than, dt.timedelta) or older_than <= dt.timedelta(0):
            raise CallStateError(ErrorCode.DATA_REJECTED, problem="bad_window")
        before = self._clock.now() - older_than

        async def _purge(session: AsyncSession) -> int:
            result = await session.execute(delete(SavedCallRow).where(SavedCallRow.updated_at < before))
            return _rowcount(result)

        return await self._db.run(_purge, write=True)

    async def resume_identity(self, customer_id: str) -> ResumeIdentity | None:
        """The customer record the shortened re-verification checks against, or ``None`` if there is none.

        Args:
            customer_id: The customer id of a saved state.

        Raises:
            InvalidInputError: the id is not text or not storable.
        """
        cid = checked_text(customer_id, field="customer id", max_len=12)
        now = self._clock.now()

        async def _get(session: AsyncSession) -> ResumeIdentity | None:
            customer = await session.get(Customer, cid)
            if customer is None:
                return None
            address = await session.get(Address, cid)
            locked = bool(customer.locked_until and customer.locked_until > now) or (
                customer.security_locked_at is not None
            )
            return ResumeIdentity(
                customer=CustomerView(
                    id=customer.id,
                    first_name=customer.first_name,
                    last_name=customer.last_name,
                    loyalty_tier=customer.loyalty_tier,
                ),
                phone=customer.phone,
                address=(
                    AddressView(
                        line1=address.line1, city=address.city, region=address.region, postal_code=address.postal_code
                    )
                    if address
                    else None
                ),
                locked=locked,
            )

        return await self._db.run(_get)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _checked_call_id(call_id: object) -> str:
    if not isinstance(call_id, str) or not _CALL_ID.fullmatch(call_id):
        raise CallStateError(ErrorCode.DATA_REJECTED, problem="bad_call_id")
    return call_id


def _checked_state(state: object) -> dict[str, Any]:
    """A JSON copy of ``state`` after the shape checks of :meth:`CallStateService.save`."""
    if not isinstance(state, Mapping):
        raise CallStateError(ErrorCode.DATA_REJECTED, problem="not_a_mapping", type=type(state).__name__)
    unknown = sorted(str(k) for k in state if k not in STATE_KEYS)
    if unknown:
        raise CallStateError(ErrorCode.DATA_REJECTED, problem="unknown_keys", keys=tuple(unknown[:5]))
    try:
        text = json.dumps(dict(state), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise CallStateError(ErrorCode.DATA_REJECTED, problem="not_json") from exc
    if len(text) > MAX_STATE_CHARS:
        raise CallStateError(ErrorCode.DATA_REJECTED, problem="too_large", length=len(text), max_len=MAX_STATE_CHARS)
    if text_problem(_all_text(state)) is not None:
        raise CallStateError(ErrorCode.DATA_REJECTED, problem="not_storable")
    clean: dict[str, Any] = json.loads(text)
    return clean


def _all_text(value: Any) -> str:
    """Every string inside ``value`` joined (to check they are all storable)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "\n".join(_all_text(k) + "\n" + _all_text(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return "\n".join(_all_text(v) for v in value)
    return ""
