"""Human follow-up tickets that carry the transfer summary."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .clock import Clock
from .db import ID_CONFLICT_RETRIES, Database
from .errors import checked_text, storable
from .ids import TICKET_ID
from .models import Ticket
from .views import TicketView

Priority = Literal["low", "normal", "high", "urgent"]

MAX_REASON = 500
"""Longest ticket reason, in characters."""


class TicketService:
    """Create escalation tickets for the human team."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def create(
        self, *, customer_id: str | None, reason: str, priority: Priority, summary: dict[str, Any]
    ) -> TicketView:
        """Open a ticket (id ``TCK-`` + 6 digits).

        Args:
            customer_id: The verified caller, or ``None`` for an unverified caller.
            reason: Why a person must follow up (1–``MAX_REASON`` characters once stripped).
            priority: Queue priority.
            summary: The transfer summary (JSON-serialisable, no secrets). It is assembled by code from
                the call, so it is repaired rather than refused: lone surrogates become U+FFFD and
                control characters are dropped (see :func:`services.errors.storable`).

        Raises:
            InvalidInputError: ``field_missing``, ``field_too_long``, ``not_text`` or ``text_not_encodable``
                (``field`` is ``ticket reason``). Nothing is written.
        """
        why = checked_text(reason, field="ticket reason", max_len=MAX_REASON)
        clean_summary = storable(summary)
        now = self._clock.now()

        async def _create(session: AsyncSession) -> TicketView:
            count = await session.scalar(select(func.count()).select_from(Ticket)) or 0
            ticket = Ticket(
                id=TICKET_ID.format(900001 + count),
                customer_id=customer_id,
                reason=why,
                priority=priority,
                summary=clean_summary,
                created_at=now,
            )
            session.add(ticket)
            return TicketView(ticket.id, priority, "open")

        return await self._db.run(_create, write=True, conflict_retries=ID_CONFLICT_RETRIES)
