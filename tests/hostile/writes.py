"""Every confirmed write of the desk, each with what it needs to be proposed (shared by the write suites).

The writes of orders, returns, tickets and the address are listed here; each desk adds its own in
``tests/hostile/writes_<desk>.py`` as a ``WRITES_<DESK>`` tuple, merged into :data:`WRITES`.
A test checks that every write tool of every agent is listed, so a new write joins the suites.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from call.context import AuthStep
from services.demo_data import AVA, DemoCustomer
from tools.writes import STEP_UP_QUESTION
from worker.testing import OfflineCall

from .conftest import open_return, seed


@dataclass(frozen=True)
class Write:
    tool: str
    agent: str
    args: dict[str, Any]
    table: str
    """Table whose rows show the write (compared whole)."""
    request: str = "Can you do that for me?"
    """What the caller says in the turn where the model proposes the write."""
    seed_return: str = ""
    """"open" / "pickup": an open return RET-500001 of Ava's jacket exists before the call."""
    verified: bool = True
    step: AuthStep | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    customer: DemoCustomer = AVA
    """Who the verified caller is (e.g. a store owner for store writes)."""
    yes: str = "yes"
    """The caller's answer that executes the write: "yes", or the last four digits for a step-up write."""
    step_up: bool = False
    inserts: bool = True
    """The write adds one row to ``table`` (False: it updates rows, e.g. a cancellation)."""

    @property
    def caller(self) -> DemoCustomer | None:
        """The verified caller of the call, or ``None`` for an unverified one."""
        return self.customer if self.verified else None

    async def prepare(self, db_url: str) -> None:
        if self.seed_return:
            await seed(db_url, lambda s: open_return(s, AVA.id, "ORD-100101", pickup=self.seed_return == "pickup"))

    def setup(self, call: OfflineCall) -> None:
        if self.step is not None:
            call.userdata.advance(self.step)

    async def rows(self, call: OfflineCall) -> list[tuple[Any, ...]]:
        return sorted(map(tuple, await call.query(f"select * from {self.table}")))


CORE_WRITES: tuple[Write, ...] = (
    Write(
        "initiate_return",
        "returns",
        {"order_number": "ORD-100101", "condition": "unused", "reason": "does not fit"},
        "returns",
    ),
    Write(
        "schedule_pickup",
        "returns",
        {"return_number": "RET-500001", "date": "2026-11-20", "window": "morning"},
        "returns",
        seed_return="open",
    ),
    Write(
        "process_refund",
        "returns",
        {"return_number": "RET-500001", "method": "original_payment"},
        "returns",
        seed_return="pickup",
    ),
    Write(
        "modify_delivery",
        "order_tracking",
        {"order_number": "ORD-100102", "new_date": "2026-11-21"},
        "orders",
    ),
    Write(
        "report_delivery_issue",
        "order_tracking",
        {"order_number": "ORD-100101", "issue": "damaged", "description": "The jacket arrived torn"},
        "delivery_issues",
    ),
    Write(
        "create_escalation_ticket",
        "human",
        {"reason": "The caller wants a person to call back", "priority": "high"},
        "tickets",
        verified=False,
    ),
    Write(
        "save_address",
        "authentication",
        {"street": "12 Oak Avenue", "city": "Springfield", "state": "IL", "zip_code": "62704"},
        "addresses",
        request="It's 12 Oak Avenue, Springfield, Illinois 6 2 7 0 4",
        step=AuthStep.ADDRESS_NEW,
    ),
)


def _desk_writes() -> tuple[Write, ...]:
    found: list[Write] = []
    for path in sorted(Path(__file__).parent.glob("writes_*.py")):
        module = importlib.import_module(f"{__package__}.{path.stem}")
        for name, value in vars(module).items():
            if name.startswith("WRITES_") and isinstance(value, tuple):
                found.extend(value)
    return tuple(found)


WRITES: dict[str, Write] = {w.tool: w for w in (*CORE_WRITES, *_desk_writes())}
"""Every write by tool name."""


def is_read_back(line: str) -> bool:
    """Whether code's read-back of a write is in ``line`` (a yes/no question or a step-up request)."""
    return "Shall I go ahead" in line or STEP_UP_QUESTION in line
