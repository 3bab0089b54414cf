"""The security and personalization desks' confirmed writes, for the shared hostile write suites
(merged into ``writes.WRITES``).

Each confirmed write inserts one row in its table: a case (a suspicious-activity flag, a fraud report, or
the ``account_lock`` case the lock opens), a password-reset link, a new preference. The lock and the
password reset are step-up writes: the caller's "yes" is the last four digits of their card or SSN
(Priya's card ends 9021, her SSN 6604), re-checked by code before the write runs.
"""

from __future__ import annotations

from services.demo_data import AVA, PRIYA

from .writes import Write

WRITES_ACCOUNT: tuple[Write, ...] = (
    Write(
        "flag_suspicious_activity",
        "security",
        {"description": "A login alert from a phone I don't own", "charges": "the one from Lagos"},
        "security_cases",
        request="I got a login alert, and there's a charge from Lagos I don't trust",
        customer=PRIYA,
    ),
    Write(
        "report_fraud",
        "security",
        {"charges": "the one from Lagos", "description": "I have never bought anything in Lagos"},
        "security_cases",
        request="The charge from Lagos is not mine",
        customer=PRIYA,
    ),
    Write(
        "lock_account",
        "security",
        {"reason": "Someone else has my card details"},
        "security_cases",
        request="Please lock my account, someone has my card details",
        customer=PRIYA,
        yes="9 0 2 1",
        step_up=True,
    ),
    Write(
        "reset_password",
        "security",
        {},
        "password_resets",
        request="I need to reset my password",
        customer=PRIYA,
        yes="six six zero four",
        step_up=True,
    ),
    Write(
        "update_preferences",
        "personalization",
        {"key": "shoe_size", "value": "nine and a half"},
        "preferences",
        request="I'm a nine and a half in shoes, please remember that",
        customer=AVA,
    ),
)
"""Security writes as Priya (who has the unusual charges), the preference as Ava."""
