"""The registry of business id formats: every id the services create or seed, in one place.

A business id is a fixed prefix, a separator and a fixed number of digits (``ORD-100101``,
``RET-500001``, ``FSH-2001``, ``1Z1001010184``). The services build their ids with
:meth:`IdFormat.format` (``ORDER_ID.format(100101)``), and :mod:`call.redaction` keeps exactly the
ids that match a registered format (:func:`registered_ids`) while it removes every other run of
four or more digits from logs and transcripts. Registering a format here is therefore both the
definition of the id and the declaration that it is not personal data.

This module depends on the standard library only.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

__all__ = [
    "ALERT_ID",
    "BOOK_SKU",
    "BUNDLE_ID",
    "CHARGE_ID",
    "CUSTOMER_ID",
    "DELIVERY_CASE_ID",
    "ELECTRONICS_SKU",
    "FASHION_SKU",
    "GIFT_CARD_SKU",
    "HOME_SKU",
    "ORDER_ID",
    "PAYOUT_ID",
    "PROMO_CODE_ID",
    "RETURN_ID",
    "SECURITY_CASE_ID",
    "SELLER_ID",
    "SELLER_ISSUE_ID",
    "SELLER_MESSAGE_ID",
    "SKU_BY_CATEGORY",
    "SUBSCRIPTION_ID",
    "TICKET_ID",
    "TRACKING_NUMBER",
    "IdFormat",
    "register_id",
    "registered_ids",
    "unregister_id",
]

_PREFIX = re.compile(r"[A-Z0-9]{1,12}")
_SEPARATOR = re.compile(r"[^\w\s]{0,2}")
_MAX_DIGITS = 32


@dataclass(frozen=True)
class IdFormat:
    """One business id format: ``prefix`` + ``separator`` + exactly ``digits`` digits.

    Attributes:
        prefix: Upper-case letters and digits before the separator (``"ORD"``, ``"1Z"``).
        digits: Exact number of digits after the separator.
        description: What the id names (``"order"``); for documentation and error messages.
        separator: Between prefix and digits: ``"-"`` for the marketplace ids, ``""`` for a
            carrier tracking number.
        pattern: Compiled regular expression of one id, case-sensitive. It matches a whole id
            only: not preceded by a letter or digit and not followed by another digit, so
            ``pattern.search("ORD-1001011")`` finds nothing. Use ``pattern.fullmatch`` to
            validate and ``pattern.search``/``finditer`` to find ids in text.
    """

    prefix: str
    digits: int
    description: str
    separator: str = "-"
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _PREFIX.fullmatch(self.prefix) or self.prefix.isdigit():
            raise ValueError(f"id prefix must be 1-12 upper-case letters or digits with a letter, got {self.prefix!r}")
        if not 1 <= self.digits <= _MAX_DIGITS:
            raise ValueError(f"id digit count must be between 1 and {_MAX_DIGITS}, got {self.digits}")
        if not self.description.strip():
            raise ValueError("id description must not be empty")
        if not _SEPARATOR.fullmatch(self.separator):
            raise ValueError(f"id separator must be at most two punctuation characters, got {self.separator!r}")
        regex = rf"(?<![^\W_]){re.escape(self.prefix)}{re.escape(self.separator)}\d{{{self.digits}}}(?!\d)"
        object.__setattr__(self, "pattern", re.compile(regex))

    @property
    def example(self) -> str:
        """A well-formed example id (the smallest one with a leading 1, e.g. ``ORD-100000``)."""
        return self.format(10 ** (self.digits - 1))

    def format(self, n: int) -> str:
        """Build the id with number ``n``, zero-padded to the format's width.

        Args:
            n: The sequence number, ``0 <= n < 10 ** digits``.

        Returns:
            The id, e.g. ``RETURN_ID.format(500001) == "RET-500001"``.

        Raises:
            ValueError: If ``n`` is negative or has more digits than the format allows (an id
                that would not match its own format).
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"{self.description} number must be an int, got {type(n).__name__}")
        if not 0 <= n < 10**self.digits:
            raise ValueError(f"{self.description} number {n} does not fit {self.digits} digits")
        return f"{self.prefix}{self.separator}{n:0{self.digits}d}"

    def matches(self, text: str) -> bool:
        """Whether ``text`` is exactly one id of this format (case-sensitive, no surrounding space).

        Args:
            text: Candidate id.

        Returns:
            ``True`` for ``"ORD-100101"`` with :data:`ORDER_ID`; ``False`` for ``"ORD-1001"``.
        """
        return self.pattern.fullmatch(text) is not None


_lock = threading.Lock()
_registry: tuple[IdFormat, ...] = ()


def register_id(prefix: str, digits: int, description: str, *, separator: str = "-") -> IdFormat:
    """Register a business id format and return it.

    Registering the same format again (same prefix, separator and digit count) returns the
    registered instance, so a module may be imported twice. The same prefix may be registered with
    another digit count (two formats).

    Args:
        prefix: Upper-case letters/digits before the separator, e.g. ``"ORD"``.
        digits: Exact number of digits, e.g. ``6``.
        description: What the id names, e.g. ``"order"``.
        separator: Between prefix and digits; ``"-"`` unless the id has none.

    Returns:
        The registered :class:`IdFormat`.

    Raises:
        ValueError: If the format is malformed, or the same format is already registered with
            another description.
    """
    global _registry
    fmt = IdFormat(prefix, digits, description, separator)
    with _lock:
        for existing in _registry:
            if (existing.prefix, existing.separator, existing.digits) == (prefix, separator, digits):
                if existing.description != description:
                    raise ValueError(f"id format {existing.example} is already registered as {existing.description!r}")
                return existing
        _registry = (*_registry, fmt)
    return fmt


def unregister_id(fmt: IdFormat) -> None:
    """Remove a registered format (for tests that register a temporary one).

    Args:
        fmt: The format to remove (compared by prefix, digits, description and separator).
            Unknown formats are ignored.
    """
    global _registry
    with _lock:
        _registry = tuple(f for f in _registry if f != fmt)


def registered_ids() -> tuple[IdFormat, ...]:
    """Every registered id format, in registration order.

    The tuple is replaced (never mutated) on each (un)registration, so a caller may cache what
    it derives from it and compare the tuple by identity to know when to rebuild.

    Returns:
        The registered formats.
    """
    return _registry


ORDER_ID = register_id("ORD", 6, "order")
"""``ORD-100101``: demo orders ``ORD-1001xx``..., Faker filler ``ORD-3xxxxx`` (:mod:`services.seed`), checkout
``ORD-400001`` upward (:mod:`services.cart`)."""
RETURN_ID = register_id("RET", 6, "return")
"""``RET-500001``: returns, numbered from 500001 (:mod:`services.returns`)."""
TICKET_ID = register_id("TCK", 6, "support ticket")
"""``TCK-900001``: tickets, numbered from 900001 (:mod:`services.tickets`)."""
DELIVERY_CASE_ID = register_id("DLV", 6, "delivery case")
"""``DLV-700001``: delivery issue cases, numbered from 700001 (:mod:`services.orders`)."""
CUSTOMER_ID = register_id("CUS", 4, "customer account")
"""``CUS-1001``: demo customers ``CUS-100x``, Faker filler ``CUS-20xx`` (:mod:`services.seed`)."""

FASHION_SKU = register_id("FSH", 4, "fashion product")
"""``FSH-2001``: fashion SKUs (demo ``FSH-2001``, catalog ``FSH-6000``...)."""
ELECTRONICS_SKU = register_id("ELC", 4, "electronics product")
"""``ELC-3001``: electronics SKUs."""
BOOK_SKU = register_id("BOK", 4, "book")
"""``BOK-1001``: book SKUs."""
HOME_SKU = register_id("HOM", 4, "home product")
"""``HOM-4001``: home SKUs."""
GIFT_CARD_SKU = register_id("GFT", 4, "gift card product")
"""``GFT-5001``: gift card SKUs."""

SKU_BY_CATEGORY: dict[str, IdFormat] = {
    "fashion": FASHION_SKU,
    "electronics": ELECTRONICS_SKU,
    "books": BOOK_SKU,
    "home": HOME_SKU,
    "gift_cards": GIFT_CARD_SKU,
}
"""The SKU format of each product category (the ``category`` column of ``products``)."""

SELLER_ID = register_id("SEL", 4, "seller store")
"""``SEL-1001``: marketplace sellers (:mod:`services.catalog_seed`)."""
PROMO_CODE_ID = register_id("PRM", 4, "promotion")
"""``PRM-2601``: internal promotion ids; callers use the promotion's spoken code (``SAVE10``)."""
SELLER_ISSUE_ID = register_id("SIS", 6, "seller dispute")
"""``SIS-610001``: disputes with a seller (:mod:`services.sellers`)."""
SELLER_MESSAGE_ID = register_id("MSG", 6, "message to a seller")
"""``MSG-620001``: messages relayed to a seller (:mod:`services.sellers`)."""
PAYOUT_ID = register_id("PAY", 6, "seller payout")
"""``PAY-630001``: payouts to seller stores (:mod:`services.sellers`)."""
CHARGE_ID = register_id("CHG", 6, "card charge")
"""``CHG-810001``: charges on a customer's payment card (:mod:`services.account_security`)."""
SECURITY_CASE_ID = register_id("SEC", 6, "security case")
"""``SEC-820001``: suspicious-activity and fraud cases (:mod:`services.account_security`)."""
ALERT_ID = register_id("ALR", 6, "price-drop alert")
"""``ALR-710001``: price-drop alerts (:mod:`services.advanced_features`)."""
SUBSCRIPTION_ID = register_id("SUB", 6, "subscription")
"""``SUB-720001``: subscribe-and-save subscriptions (:mod:`services.advanced_features`)."""
BUNDLE_ID = register_id("BND", 4, "product bundle")
"""``BND-3001``: product bundles (:mod:`services.advanced_features`)."""

TRACKING_NUMBER = register_id("1Z", 10, "tracking number", separator="")
"""``1Z1001010184``: seeded carrier tracking numbers, ``1Z`` + order digits + line count + ``84``."""
