"""Human follow-up tickets that carry the transfer summary."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .clock import Clock
from .db import ID_CONFLICT_RETRIES, Database
from .errors import InvalidInputError
from .models import Ticket
from .views import TicketView

Priority = Literal["low", "normal", "high", "urgent"]


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
            reason: Why a person must follow up (1–500 characters).
            priority: Queue priority.
            summary: The transfer summary (JSON-serialisable, no secrets).

        Raises:
            InvalidInputError: empty or oversized reason.
        """
        if not reason.strip() or len(reason) > 500:
            raise InvalidInputError("Say in one sentence why a person should follow up.")
        now = self._clock.now()

        async def _create(session: AsyncSession) -> TicketView:
            count = await session.scalar(select(func.count()).select_from(Ticket)) or 0
            ticket = Ticket(
                id=f"TCK-{900001 + count}",
                customer_id=customer_id,
                reason=reason.strip(),
                priority=priority,
                summary=summary,
                created_at=now,
            )
            session.add(ticket)
            return TicketView(ticket.id, priority, "open")

        return await self._db.run(_create, write=True, conflict_retries=ID_CONFLICT_RETRIES)
