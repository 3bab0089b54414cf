"""Hashing of verification secrets (last four digits of SSN / card).

Four digits have only 10,000 values, so a digest alone is not secrecy: the salt (``SECRET_SALT``
setting) keeps a leaked database from being reversed with a precomputed table, and the lockout
after three failures (see :mod:`services.customers`) bounds online guessing.
"""

from __future__ import annotations

import hashlib
import hmac


def digest_secret(value: str, *, salt: str, customer_id: str) -> str:
    """HMAC-SHA256 of ``value`` keyed by ``salt`` and bound to ``customer_id``.

    Args:
        value: The secret digits, e.g. ``"4821"``.
        salt: Deployment-wide secret salt.
        customer_id: Binds the digest to one customer so equal digits hash differently.

    Returns:
        64 lowercase hex characters.
    """
    key = f"{salt}:{customer_id}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def secrets_match(value: str, digest: str, *, salt: str, customer_id: str) -> bool:
    """Constant-time comparison of ``value`` against a stored digest."""
    return hmac.compare_digest(digest_secret(value, salt=salt, customer_id=customer_id), digest)
