"""Which agent a caller's request belongs to, when the words make it unambiguous.

After authentication the desk recalls the caller's original request and transfers them. When
the request names its domain plainly ("return a jacket", "where is my order"), code routes it:
deterministic, auditable and free of an LLM round trip. Anything else is left to the model,
which picks ``transfer_to_agent`` itself.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, str], ...] = (
    # (agent, pattern) in priority order: the first agent whose pattern matches wins, unless a
    # later, different agent matches too (then the request is ambiguous and the model decides).
    ("human", r"\b(human|real person|a person|representative|manager|supervisor|operator)\b"),
    (
        "security",
        r"\b(fraud|hack(ed)?|stolen|suspicious|unauthori[sz]ed|password|lock (my )?account|scam|"
        r"charges?( \w+){0,4} I (don'?t|do not) recogni[sz]e|unrecogni[sz]ed charges?|unknown charges?)\b",
    ),
    (
        "returns",
        r"\b(return|returning|refund|send (it |this |them )?back|bring (it )?back|exchange|doesn'?t fit|"
        r"too (big|small|large|tight)|never (worn|used)|unworn)\b",
    ),
    (
        "order_tracking",
        r"\b(where('s| is) my|track(ing)?|deliver(y|ed)?|shipping|shipment|package|parcel|hasn't arrived|"
        r"not arrived|late order|order status|arriv(e|es|ing)|(check|checking) on my (\w+ )?order|"
        r"status of my (\w+ )?order)\b",
    ),
    ("seller_management", r"\b(seller|my store|listing|payout)\b"),
    ("promotions", r"\b(promo(tion)?s?|coupons?|discounts?|deals?|vouchers?|sales? on)\b"),
    ("advanced_features", r"\b(wish ?list|price (drop|alert)|subscri(be|ption)|bundle)\b"),
    ("personalization", r"\b(recommend|suggest|preferences?)\b"),
    ("sales", r"\b(buy|purchase|checkout|check out|add to (my )?cart|place an order)\b"),
)
_PRODUCT_RULES: tuple[tuple[str, str], ...] = (
    # Product domains: consulted only when no service domain above matched ("return a jacket" is a return).
    ("books", r"\b(books?|novels?|author|paperback|hardcover|audiobooks?|e-?books?|cookbooks?|biograph(y|ies))\b"),
    (
        "electronics",
        r"\b(laptops?|phones?|chargers?|headphones|earbuds|tablets?|monitors?|cameras?|webcams?|speakers?|"
        r"keyboards?|tvs?|televisions?|cables?|power banks?|electronics)\b",
    ),
    (
        "fashion",
        r"\b(shirts?|dress(es)?|jackets?|coats?|shoes|sneakers|boots|jeans|sweaters?|trousers|pants|"
        r"clothes|clothing|outfits?|fashion|sizing|size chart)\b",
    ),
    (
        "home",
        r"\b(sofas?|couch(es)?|tables?|chairs?|lamps?|rugs?|furniture|beds?|mattress(es)?|shelves|"
        r"bookcases?|kitchen|cookware|dutch oven|skillets?)\b",
    ),
)
_NO_PRODUCT_DESK = re.compile(r"\b(charged (me )?twice|billed (me )?twice|double[- ]charged?|overcharged)\b", re.I)
"""A billing error: the product it names ("charged twice for my jacket") does not make it a fashion question.
No desk's tools fix it, so the model decides (the scenarios' model sends it to the escalation desk's ticket)."""
_COMPILED = tuple((agent, re.compile(pattern, re.IGNORECASE)) for agent, pattern in _RULES)
_COMPILED_PRODUCTS = tuple((agent, re.compile(pattern, re.IGNORECASE)) for agent, pattern in _PRODUCT_RULES)


def route_for_request(text: str) -> str | None:
    """The registry key of the agent for ``text``, or ``None`` when unclear.

    Args:
        text: The caller's request in their words (e.g. the intent stated at the start of the call).

    Returns:
        One agent key when exactly one service domain's words occur (``"return a jacket"`` →
        ``"returns"``), or else exactly one product domain's (``"a sofa for my living room"`` →
        ``"home"``); ``None`` otherwise ("return it and buy another" names two domains: the model decides;
        "I was charged twice for my jacket" is a billing error, not a fashion question).
    """
    for rules in (_COMPILED, _COMPILED_PRODUCTS):
        if rules is _COMPILED_PRODUCTS and _NO_PRODUCT_DESK.search(text):
            return None
        matched = {agent for agent, pattern in rules if pattern.search(text)}
        if len(matched) == 1:
            return matched.pop()
        if matched:
            return None
    return None


def route_for_intent(text: str) -> str | None:
    """Where a verified caller's stated request goes: :func:`route_for_request`, and a billing error that
    names no service domain ("I was charged twice for my last order") goes to ``"human"``: no desk's tools
    fix our own double charge, the escalation desk's ticket does.

    Kept apart from :func:`route_for_request` because that one also decides whether the caller asks for a
    person (which transfers at once, anywhere in the call); a complaint about a charge is no such request.

    Args:
        text: The caller's request in their words.

    Returns:
        An agent key, or ``None`` when the model should decide.
    """
    target = route_for_request(text)
    if target is None and _NO_PRODUCT_DESK.search(text) and not any(p.search(text) for _, p in _COMPILED):
        return "human"  # a billing error alone: two service domains named stay with the model
    return target


_REQUEST = re.compile(
    r"\b(want|need|like to|help|problem|issue|question|about|where|why|can i|could you|order|return|refund|"
    r"buy|cancel|track|change|report|check)\b",
    re.IGNORECASE,
)
MIN_REQUEST_WORDS = 4


def looks_like_request(text: str) -> bool:
    """Whether ``text`` states what the caller wants (worth keeping as the call's intent).

    Args:
        text: A caller utterance.

    Returns:
        ``True`` for "Hi, I'd like to return a jacket I bought"; ``False`` for "My first name is Ava".
    """
    return len(text.split()) >= MIN_REQUEST_WORDS and bool(_REQUEST.search(text) or route_for_request(text))
