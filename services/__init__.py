"""The services layer: the marketplace's state and rules behind a real database.

Tools never touch the database directly: they call these services, which decide money and state.
Build everything with :func:`open_services`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .account_security import AccountSecurityService
from .advanced_features import AdvancedFeaturesService
from .calls import CallStateService
from .cart import CartService
from .catalog import CatalogService
from .clock import Clock
from .customers import CustomerService
from .db import Database
from .errors import (
    InvalidInputError,
    InvalidStateError,
    LockedOutError,
    NotFoundError,
    ServiceError,
    ServiceTimeoutError,
)
from .orders import OrderService
from .personalization import PersonalizationService
from .promotions import PromotionService
from .returns import ReturnService
from .seed import seed_database
from .sellers import SellerService
from .tickets import TicketService


@dataclass
class Services:
    """Every service of one worker process, sharing one database."""

    db: Database
    clock: Clock
    customers: CustomerService
    orders: OrderService
    returns: ReturnService
    tickets: TicketService
    catalog: CatalogService
    cart: CartService
    promotions: PromotionService
    personalization: PersonalizationService
    account_security: AccountSecurityService
    sellers: SellerService
    features: AdvancedFeaturesService
    calls: CallStateService
    """Saved call state for resuming dropped calls (:mod:`services.calls`)."""

    async def close(self) -> None:
        """Release the database pool."""
        await self.db.close()


async def open_services(
    database_url: str, *, salt: str, timeout_s: float = 3.0, clock: Clock | None = None, seed: bool = True
) -> Services:
    """Connect to the database, create and seed it if empty, and build the services.

    Args:
        database_url: SQLAlchemy async URL (``sqlite+aiosqlite:///path.db`` or ``postgresql+asyncpg://...``).
        salt: Secret salt for the SSN/card digests (must be the one the data was seeded with).
        timeout_s: Upper bound of one service call, in seconds.
        clock: Defaults to the UTC wall clock.
        seed: Seed demo data into an empty database.
    """
    clock = clock or Clock()
    db = Database(database_url, timeout_s=timeout_s)
    if seed:
        await seed_database(db, clock=clock, salt=salt)
    else:
        await db.create_schema()
    return Services(
        db=db,
        clock=clock,
        customers=CustomerService(db, clock, salt),
        orders=OrderService(db, clock),
        returns=ReturnService(db, clock),
        tickets=TicketService(db, clock),
        catalog=CatalogService(db),
        cart=CartService(db, clock),
        promotions=PromotionService(db, clock),
        personalization=PersonalizationService(db, clock),
        account_security=AccountSecurityService(db, clock),
        sellers=SellerService(db, clock),
        features=AdvancedFeaturesService(db, clock),
        calls=CallStateService(db, clock, salt),
    )


__all__ = [
    "Clock",
    "InvalidInputError",
    "InvalidStateError",
    "LockedOutError",
    "NotFoundError",
    "ServiceError",
    "ServiceTimeoutError",
    "Services",
    "open_services",
]
