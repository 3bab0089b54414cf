"""Preferences, behaviour tracked during calls, and recommendations from orders and preferences.

Every query is scoped by ``customer_id`` (the verified caller, from ``CustomerContext``).

* **Preferences** come from a fixed set of keys (:data:`PREFERENCE_KEYS`), each with its own
  validation and canonical form: ``favourite_category`` (a catalogue category; "clothes" →
  ``fashion``), ``preferred_brand`` (a brand sold here, spelled as the catalogue spells it),
  ``clothing_size`` (XS–XXL), ``shoe_size`` (US 4–16 in half sizes), ``budget_max`` (dollars, kept as
  cents), ``colour`` (a colour of :data:`COLOURS`), ``book_format``. The value ``none`` removes one.
* **Behaviour**: what the caller viewed or asked about in a call, at most
  :data:`MAX_EVENTS_PER_CALL` events per call.
* **Recommendations** score in-stock catalogue products the caller has not bought by: favourite
  category and preferred brand, categories and brands of their orders, what they viewed or asked
  about, and whether a variant exists in their size, colour or book format; a budget excludes dearer
  products. **Suggestions** match a need or occasion ("a gift for someone who loves cooking") word by
  word against the catalogue (names, kinds, brands, descriptions, attributes; misheard words
  tolerated), expanded by :data:`NEED_HINTS`, then weigh the same preferences.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from rapidfuzz import fuzz, process
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from .account_models import BehaviorEvent, Preference
from .account_security import WORD_MATCH, parse_amount_cents
from .clock import Clock
from .db import Database
from .errors import ErrorCode, InvalidInputError, checked_text
from .models import Order, OrderItem, Product, ProductVariant
from .views import PreferenceView, SuggestionView

MAX_EVENTS_PER_CALL = 20
"""Behaviour events one call may record (a runaway model cannot fill the table)."""
MAX_QUERY = 120
"""Longest query or need text, in characters (the ``behavior_events.query`` column)."""
MAX_SUGGESTIONS = 5
"""Products one answer may present (the voice rule: at most about five items)."""
BEHAVIOR_LOOKBACK = dt.timedelta(days=90)
"""Behaviour older than this no longer shapes recommendations."""
BEHAVIOR_KINDS = ("viewed", "asked", "compared", "carted")
CATEGORIES = ("books", "electronics", "fashion", "home")
"""Categories a caller can favour (gift cards are not recommended)."""
CATEGORY_WORDS: dict[str, str] = {
    "book": "books", "books": "books", "reading": "books", "novels": "books", "novel": "books",
    "electronics": "electronics", "electronic": "electronics", "tech": "electronics", "gadgets": "electronics",
    "gadget": "electronics", "technology": "electronics",
    "fashion": "fashion", "clothes": "fashion", "clothing": "fashion", "apparel": "fashion", "shoes": "fashion",
    "home": "home", "homeware": "home", "housewares": "home", "kitchen": "home", "home goods": "home",
    "decor": "home", "furniture": "home", "house": "home",
}  # fmt: skip
"""Words callers use for the catalogue categories."""
CLOTHING_SIZES: dict[str, str] = {
    "xs": "XS", "extra small": "XS", "x small": "XS", "s": "S", "small": "S", "m": "M", "medium": "M",
    "l": "L", "large": "L", "xl": "XL", "extra large": "XL", "x large": "XL", "xxl": "XXL", "2xl": "XXL",
    "double extra large": "XXL", "xx large": "XXL", "double xl": "XXL",
}  # fmt: skip
"""Spoken clothing sizes → the catalogue's letter sizes (XS–XXL)."""
COLOURS: dict[str, str] = {
    c: c
    for c in (
        "black white grey navy blue red green yellow orange pink purple brown beige cream olive burgundy teal "
        "silver gold tan khaki charcoal"
    ).split()
} | {"gray": "grey", "navy blue": "navy", "dark blue": "navy", "light blue": "blue", "maroon": "burgundy",
     "off white": "cream", "ivory": "cream"}  # fmt: skip
"""Colours a caller can prefer (common apparel colour names), with spoken variants."""
BOOK_FORMATS: dict[str, str] = {
    "hardcover": "hardcover", "hardback": "hardcover", "hard cover": "hardcover", "paperback": "paperback",
    "softcover": "paperback", "ebook": "ebook", "e book": "ebook", "digital": "ebook", "kindle": "ebook",
    "audiobook": "audiobook", "audio book": "audiobook", "audio": "audiobook",
}  # fmt: skip
SHOE_SIZES = (4.0, 16.0)
"""US shoe sizes accepted, in half sizes."""
BUDGET_DOLLARS = (1, 10_000)
"""A budget ceiling from $1 to $10,000."""
RELEVANT_SHARE = 0.6
"""A suggestion must fit the need at least 60 % as well as the best fit (taste never rescues an irrelevant one)."""
SPEND_FACTOR = 4
SPEND_FLOOR_CENTS = 10_000
"""Without a budget, products dearer than 4 times the dearest thing they bought (at least $100) rank lower."""
BRAND_MATCH = 85
"""rapidfuzz WRatio from which a spoken brand is taken as the catalogue's brand."""
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen".split()
    )
}
NEED_HINTS: dict[str, tuple[str, ...]] = {
    "rain": ("rain jacket", "umbrella"), "rainy": ("rain jacket", "umbrella"), "wet": ("rain jacket",),
    "hiking": ("rain jacket", "boots", "power bank"), "camping": ("lantern", "power bank", "blanket"),
    "travel": ("travel guide", "power bank", "earbuds"), "trip": ("travel guide", "power bank", "earbuds"),
    "vacation": ("travel guide", "earbuds"), "flight": ("earbuds", "headphones"),
    "cooking": ("skillet", "chef knife", "dutch oven", "cookbook"), "cook": ("skillet", "chef knife", "cookbook"),
    "chef": ("chef knife", "skillet"), "kitchen": ("skillet", "chef knife", "dutch oven"),
    "baking": ("cookbook", "dutch oven"), "office": ("keyboard", "webcam", "monitor", "desk lamp"),
    "work": ("keyboard", "webcam", "monitor", "desk lamp"), "desk": ("desk lamp", "keyboard", "monitor"),
    "study": ("desk lamp", "keyboard"), "student": ("keyboard", "earbuds", "power bank"),
    "running": ("running shoes", "earbuds"), "gym": ("running shoes", "earbuds"), "workout": ("running shoes",),
    "winter": ("wool sweater", "scarf", "throw blanket"), "cold": ("wool sweater", "scarf", "throw blanket"),
    "cozy": ("throw blanket", "wool sweater"), "summer": ("linen shirt", "sneakers"),
    "reading": ("novel", "biography"), "reader": ("novel", "biography"), "music": ("headphones", "earbuds"),
    "housewarming": ("ceramic vase", "throw blanket", "table lamp"), "wedding": ("ceramic vase", "dutch oven"),
    "bath": ("bath towels",), "gaming": ("headphones", "keyboard"), "video": ("webcam", "monitor"),
}  # fmt: skip
"""Occasion and need words → product kinds that serve them (the desk's merchandising list)."""
_STOP = frozenset(
    """a an the for to of and or with in on at my me i im i'm is it its some something somebody someone who that
    this which what need needs want wants looking look like likes love loves loving good nice great best new gift
    gifts present presents idea ideas buy get give giving thing things stuff item items product products please
    maybe any anything around under about really very also just one ones kind sort type for from be been
    birthday christmas holiday holidays anniversary friend friends mom dad mother father wife husband sister
    brother partner kid kids child children son daughter""".split()
)


@dataclass(frozen=True)
class PreferenceKey:
    """One key callers can set: what a valid value looks like and how to make it canonical."""

    expected: str
    """Spoken in the refusal: "must be <expected>"."""


PREFERENCE_KEYS: dict[str, PreferenceKey] = {
    "favourite_category": PreferenceKey("one of books, electronics, fashion or home"),
    "preferred_brand": PreferenceKey("a brand sold on the marketplace"),
    "clothing_size": PreferenceKey("one of XS, S, M, L, XL or XXL"),
    "shoe_size": PreferenceKey("a US shoe size from 4 to 16, whole or half, such as 9 or 9.5"),
    "budget_max": PreferenceKey("an amount in dollars from $1 to $10,000, such as 150"),
    "colour": PreferenceKey("a colour such as " + ", ".join(list(COLOURS)[:8]) + " or another common colour"),
    "book_format": PreferenceKey("one of hardcover, paperback, ebook or audiobook"),
}
"""The fixed set of preference keys (the issue's list plus ``book_format``, which the catalogue's variants carry)."""
CLEAR_WORDS = frozenset({"none", "clear", "remove", "delete", "no preference", "nothing", "forget it"})
"""Values that remove a saved preference."""


def _spoken(value: str) -> str:
    return " ".join(re.sub(r"[^\w\s.½]", " ", value.casefold().replace("-", " ")).split())


_FILLER = frozenset("my is i im a an size usually wear take prefer like love favourite favorite the in".split())
"""Words around a value ("I usually wear a medium", "size M") dropped before reading it."""


def _from_words(table: dict[str, str], value: str) -> str | None:
    """The canonical value ``table`` gives for what the caller said, or ``None``.

    Tried in order: the whole answer; the answer without filler words; the longest known phrase of two
    or more characters inside it ("my size is extra large" → ``XL``).
    """
    said = _spoken(value)
    bare = " ".join(w for w in said.split() if w not in _FILLER)
    for candidate in (said, bare):
        if candidate in table:
            return table[candidate]
    words = said.split()
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i : i + n])
            if phrase in table and len(phrase) > 1:
                return table[phrase]
    return None


def _shoe_size(value: str) -> str | None:
    said = _spoken(value).replace("½", ".5").replace(" and a half", ".5").replace(" and half", ".5")
    said = re.sub(r"\b(us|size|men s|mens|women s|womens)\b", " ", said).strip()
    m = re.fullmatch(r"(\d{1,2})(?:\.(0|5))?|(\w+)(\.5)?", said)
    if m is None:
        return None
    if m.group(1):
        number = float(m.group(1)) + (0.5 if m.group(2) == "5" else 0.0)
    elif m.group(3) in _NUMBER_WORDS:
        number = _NUMBER_WORDS[m.group(3)] + (0.5 if m.group(4) else 0.0)
    else:
        return None
    if not SHOE_SIZES[0] <= number <= SHOE_SIZES[1]:
        return None
    return f"{number:g}"


def _budget(value: str) -> str | None:
    cents = parse_amount_cents(value)
    if cents is None or not BUDGET_DOLLARS[0] * 100 <= cents <= BUDGET_DOLLARS[1] * 100:
        return None
    return str(cents)


def _tokens(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[^\W_]+", text.casefold())]


def _stem(word: str) -> str:
    """A crude singular: ``jackets`` → ``jacket``, ``boxes`` stays close enough for fuzzy matching."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@dataclass
class _Profile:
    """What is known of the caller's taste."""

    bought: set[str]
    categories: Counter[str]
    brands: Counter[str]
    viewed: Counter[str]
    viewed_kinds: Counter[str]
    viewed_categories: Counter[str]
    prefs: dict[str, str]
    top_price: int = 0
    """The dearest item they ever bought, in cents (0: no orders)."""


class PersonalizationService:
    """Preferences and recommendations of one customer.

    Args:
        db: Database.
        clock: Source of "now" (timestamps, behaviour lookback).
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # ------------------------------------------------------------------ preferences

    async def preferences(self, customer_id: str) -> list[PreferenceView]:
        """The caller's saved preferences, in :data:`PREFERENCE_KEYS` order."""

        async def _read(session: AsyncSession) -> list[PreferenceView]:
            return _ordered(await _prefs(session, customer_id))

        return await self._db.run(_read)

    async def check_preference(self, key: str, value: str) -> PreferenceView | None:
        """Validate and normalise one preference without writing it.

        Returns:
            The canonical preference, or ``None`` when ``value`` asks to remove it ("none", "clear").

        Raises:
            InvalidInputError: ``preference_key_unknown``, ``preference_value_invalid``, or the value refused
                as text (``field`` is ``preference value``).
        """
        name = _canonical_key(checked_text(key, field="preference", max_len=40))
        if name not in PREFERENCE_KEYS:
            raise InvalidInputError(ErrorCode.PREFERENCE_KEY_UNKNOWN, key=key, allowed=tuple(PREFERENCE_KEYS))
        said = checked_text(value, field="preference value", max_len=80)
        if _spoken(said) in CLEAR_WORDS:
            return None
        if name == "preferred_brand":

            async def _brands(session: AsyncSession) -> list[str]:
                rows = await session.scalars(select(Product.brand).where(Product.brand != "").distinct())
                return sorted(set(rows))

            canonical = _brand(await self._db.run(_brands), said)
        elif name == "colour":

            async def _colours(session: AsyncSession) -> set[str]:
                rows = await session.scalars(
                    select(ProductVariant.colour).where(ProductVariant.colour != "").distinct()
                )
                return {c.casefold() for c in rows}

            spoken = _spoken(said)
            canonical = spoken if spoken in await self._db.run(_colours) else _from_words(COLOURS, said)
        else:
            canonical = _NORMALISERS[name](said)
        if canonical is None:
            raise InvalidInputError(
                ErrorCode.PREFERENCE_VALUE_INVALID, key=name, expected=PREFERENCE_KEYS[name].expected
            )
        return PreferenceView(name, canonical)

    async def set_preference(self, customer_id: str, key: str, value: str) -> PreferenceView | None:
        """Save (or with "none", remove) one preference, after :meth:`check_preference`.

        Returns:
            The saved preference, or ``None`` when it was removed.

        Raises:
            InvalidInputError: as :meth:`check_preference`.
        """
        pref = await self.check_preference(key, value)
        name = pref.key if pref else _canonical_key(key)
        now = self._clock.now()

        async def _save(session: AsyncSession) -> PreferenceView | None:
            row = await session.get(Preference, (customer_id, name))
            if pref is None:
                if row is not None:
                    await session.delete(row)
                return None
            if row is None:
                session.add(Preference(customer_id=customer_id, key=name, value=pref.value, updated_at=now))
            else:
                row.value, row.updated_at = pref.value, now
            return pref

        return await self._db.run(_save, write=True)

    # ------------------------------------------------------------------ behaviour

    async def track(self, customer_id: str, call_id: str, *, kind: str, sku: str | None = None, query: str = "") -> int:
        """Record what the caller viewed or asked about in this call.

        Args:
            customer_id: The verified caller.
            call_id: The call (``CustomerContext.call_id``).
            kind: One of :data:`BEHAVIOR_KINDS`.
            sku: The product concerned (resolved by the tool), or ``None``.
            query: What they asked, at most :data:`MAX_QUERY` characters.

        Returns:
            Events recorded in this call so far, this one included.

        Raises:
            InvalidInputError: ``behavior_limit_reached`` (with ``limit``); ``field_missing`` (``field`` is
                ``product or query``) when neither is given; the query refused as text (``field`` is ``query``).
        """
        if kind not in BEHAVIOR_KINDS:
            raise InvalidInputError(
                ErrorCode.PREFERENCE_VALUE_INVALID, key="behaviour kind", expected="one of " + ", ".join(BEHAVIOR_KINDS)
            )
        text = checked_text(query, field="query", max_len=MAX_QUERY, required=False)
        if sku is None and not text:
            raise InvalidInputError(ErrorCode.FIELD_MISSING, field="product or query", max_len=MAX_QUERY)
        call = checked_text(call_id, field="call id", max_len=16)
        now = self._clock.now()

        async def _track(session: AsyncSession) -> int:
            # Insert first, then count: the insert takes the write lock, so calls racing in one reply
            # never push the count past the cap (a refused insert is rolled back with the transaction).
            session.add(BehaviorEvent(customer_id=customer_id, call_id=call, kind=kind, sku=sku, query=text, at=now))
            await session.flush()
            count = await session.scalar(
                select(func.count()).select_from(BehaviorEvent).where(BehaviorEvent.call_id == call)
            )
            if (count or 0) > MAX_EVENTS_PER_CALL:
                raise InvalidInputError(ErrorCode.BEHAVIOR_LIMIT_REACHED, limit=MAX_EVENTS_PER_CALL)
            return count or 0

        return await self._db.run(_track, write=True)

    async def forget_call(self, call_id: str) -> None:
        """Delete the behaviour recorded in one call (e.g. the caller asked not to be tracked)."""

        async def _forget(session: AsyncSession) -> None:
            await session.execute(delete(BehaviorEvent).where(BehaviorEvent.call_id == call_id))

        await self._db.run(_forget, write=True)

    # ------------------------------------------------------------------ recommendations

    async def recommendations(
        self, customer_id: str, *, category: str | None = None, limit: int = 3
    ) -> list[SuggestionView]:
        """Products for the caller from their orders, preferences and behaviour, best first.

        Args:
            customer_id: The verified caller.
            category: Only this category (a word :data:`CATEGORY_WORDS` knows), or ``None`` for all.
            limit: At most this many (capped at :data:`MAX_SUGGESTIONS`).

        Raises:
            InvalidInputError: ``preference_value_invalid`` (``key`` ``favourite_category``) for an unknown category.
        """
        wanted = _category(category) if category else None
        if category and wanted is None:
            raise InvalidInputError(
                ErrorCode.PREFERENCE_VALUE_INVALID,
                key="category",
                expected=PREFERENCE_KEYS["favourite_category"].expected,
            )

        async def _recommend(session: AsyncSession) -> list[SuggestionView]:
            profile = await _profile(session, customer_id, self._clock.now())
            products = await _catalogue(session, profile, wanted)
            scored = [(_taste(p, profile), p) for p in products]
            return _best(scored, limit, need_signal=False)

        return await self._db.run(_recommend)

    async def suggest(self, customer_id: str, need: str, *, limit: int = 3) -> list[SuggestionView]:
        """Products that serve ``need`` (an occasion or a need in the caller's words), weighed by their taste.

        Raises:
            InvalidInputError: the need refused as text (``field`` is ``need``).
        """
        text = checked_text(need, field="need", max_len=MAX_QUERY)
        words = [_stem(w) for w in re.findall(r"[^\W\d_]+", text.casefold()) if w not in _STOP and len(w) > 1]
        hints = [h for w in words for h in NEED_HINTS.get(w, NEED_HINTS.get(w + "s", ()))]
        categories = {c for w in words if (c := CATEGORY_WORDS.get(w)) is not None}

        async def _suggest(session: AsyncSession) -> list[SuggestionView]:
            profile = await _profile(session, customer_id, self._clock.now())
            products = await _catalogue(session, profile, None)
            fits = [(_need_fit(p, words, hints, categories), p) for p in products]
            best = max((fit for (fit, _), _ in fits), default=0.0)
            scored = []
            for (fit, why), p in fits:
                if fit <= 0 or fit < best * RELEVANT_SHARE:
                    continue
                taste, reasons = _taste(p, profile)
                scored.append(((fit * 3 + taste, (*why, *reasons)), p))
            return _best(scored, limit, need_signal=True)

        return await self._db.run(_suggest)


# --- preference values ------------------------------------------------------------------------------


def _category(value: str) -> str | None:
    return _from_words(CATEGORY_WORDS, value)


_NORMALISERS: dict[str, Callable[[str], str | None]] = {
    "favourite_category": _category,
    "clothing_size": lambda v: _from_words(CLOTHING_SIZES, v),
    "shoe_size": _shoe_size,
    "budget_max": _budget,
    "colour": lambda v: _from_words(COLOURS, v),
    "book_format": lambda v: _from_words(BOOK_FORMATS, v),
}


def _canonical_key(key: str) -> str:
    name = key.strip().casefold().replace(" ", "_").replace("-", "_")
    return {"favorite_category": "favourite_category", "color": "colour", "budget": "budget_max"}.get(name, name)


def _brand(brands: list[str], said: str) -> str | None:
    """The catalogue's spelling of the brand the caller named; any clean name when the catalogue has no brands."""
    if not brands:
        return said[:40] if re.fullmatch(r"[\w&.' \-]+", said) else None
    hit = process.extractOne(said.casefold(), {b: b.casefold() for b in brands}, scorer=fuzz.WRatio)
    if hit is None or hit[1] < BRAND_MATCH:
        return None
    return str(hit[2])


def _ordered(rows: Iterable[Preference]) -> list[PreferenceView]:
    order = list(PREFERENCE_KEYS)
    views = [PreferenceView(r.key, r.value) for r in rows]
    return sorted(views, key=lambda v: order.index(v.key) if v.key in order else len(order))


# --- scoring -------------------------------------------------------------------------------------------


async def _prefs(session: AsyncSession, customer_id: str) -> list[Preference]:
    return list(await session.scalars(select(Preference).where(Preference.customer_id == customer_id)))


async def _profile(session: AsyncSession, customer_id: str, now: dt.datetime) -> _Profile:
    items = await session.execute(
        select(Product.sku, Product.category, Product.brand, OrderItem.unit_price_cents)
        .join(OrderItem, OrderItem.sku == Product.sku)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.customer_id == customer_id)
    )
    bought: set[str] = set()
    categories: Counter[str] = Counter()
    brands: Counter[str] = Counter()
    top_price = 0
    for sku, category, brand, price in items:
        bought.add(sku)
        top_price = max(top_price, price)
        categories[category] += 1
        if brand:
            brands[brand] += 1
    seen = await session.execute(
        select(Product.sku, Product.kind, Product.category)
        .join(BehaviorEvent, BehaviorEvent.sku == Product.sku)
        .where(BehaviorEvent.customer_id == customer_id, BehaviorEvent.at >= now - BEHAVIOR_LOOKBACK)
    )
    viewed_kinds: Counter[str] = Counter()
    viewed_categories: Counter[str] = Counter()
    viewed: Counter[str] = Counter()
    for sku, kind, category in seen:
        viewed[sku] += 1
        if kind:
            viewed_kinds[kind] += 1
        viewed_categories[category] += 1
    prefs = {p.key: p.value for p in await _prefs(session, customer_id)}
    return _Profile(bought, categories, brands, viewed, viewed_kinds, viewed_categories, prefs, top_price)


async def _catalogue(session: AsyncSession, profile: _Profile, category: str | None) -> list[Product]:
    """In-stock products the caller has not bought, within their budget (and ``category``)."""
    query = (
        select(Product)
        .where(Product.stock > 0, Product.category.in_(CATEGORIES))
        .options(selectinload(Product.variants))
        .order_by(Product.sku)
    )
    if category is not None:
        query = query.where(Product.category == category)
    if "budget_max" in profile.prefs:
        query = query.where(Product.price_cents <= int(profile.prefs["budget_max"]))
    return [p for p in await session.scalars(query) if p.sku not in profile.bought]


def _in_stock(p: Product, test: Callable[[str], bool], field: str) -> bool | None:
    """Whether a variant with ``field`` passing ``test`` is in stock; ``None`` when no variant carries ``field``."""
    carrying = [v for v in p.variants if getattr(v, field)]
    if not carrying:
        return None
    return any(v.stock > 0 and test(getattr(v, field)) for v in carrying)


def _taste(p: Product, profile: _Profile) -> tuple[float, tuple[str, ...]]:
    """How well ``p`` fits what is known of the caller, with the reasons (most telling first, for the model
    to explain: stated preferences, then what they looked at, then what they bought)."""
    prefs, score = profile.prefs, 0.0
    why: list[tuple[int, str]] = []

    def add(points: float, rank: int, reason: str) -> None:
        nonlocal score
        score += points
        why.append((rank, reason))

    if p.brand and prefs.get("preferred_brand", "").casefold() == p.brand.casefold():
        add(4, 0, f"they prefer {p.brand}")
    elif p.brand and profile.brands[p.brand]:
        add(2, 7, f"they bought {p.brand} before")
    if prefs.get("favourite_category") == p.category:
        add(3, 1, f"{p.category} is their favourite category")
    if profile.categories[p.category]:
        add(min(profile.categories[p.category], 2), 8, f"they bought {p.category} before")
    if profile.viewed[p.sku]:
        add(3, 2, "they looked at it before")
    elif p.kind and profile.viewed_kinds[p.kind]:
        add(2, 3, f"they looked at {p.kind} products")
    elif profile.viewed_categories[p.category]:
        score += 1
    if p.category == "fashion":
        for key in ("clothing_size", "shoe_size"):
            if key in prefs:
                size = prefs[key]
                fits = _in_stock(p, partial(_same_size, size=size), "size")
                if fits is True:
                    add(1, 4, f"in their size {size}")
                elif fits is False and _sized_like(p, key):
                    score -= 3
    if "colour" in prefs:
        colour = prefs["colour"]
        if _in_stock(p, lambda c: colour in c.casefold(), "colour"):
            add(1, 5, f"comes in {colour}")
    if p.category == "books" and "book_format" in prefs:
        fmt = prefs["book_format"]
        if _in_stock(p, lambda f: f.casefold() == fmt, "format"):
            add(1, 6, f"available as {fmt}")
    usual = max(profile.top_price * SPEND_FACTOR, SPEND_FLOOR_CENTS)
    if profile.top_price and "budget_max" not in prefs and p.price_cents > usual:
        score -= 2  # far above anything they have bought: less likely to suit them
    return score + p.rating_tenths / 100, tuple(reason for _, reason in sorted(why))


def _same_size(variant: str, *, size: str) -> bool:
    v = variant.strip().upper().removeprefix("US").strip()
    return v == size.upper() or (v.replace(".0", "") == size)


def _sized_like(p: Product, key: str) -> bool:
    """Whether ``p``'s sizes are of the kind ``key`` describes: US shoe sizes (numbers up to 16) for
    ``shoe_size``, letter sizes (XS–XXL) for ``clothing_size``; waist sizes and "one size" are neither."""
    sizes = [v.size.strip().upper() for v in p.variants if v.size]
    if key == "shoe_size":
        numbers = [re.fullmatch(r"(?:US\s*)?(\d+(?:\.\d)?)", s) for s in sizes]
        return bool(sizes) and all(n is not None and float(n.group(1)) <= SHOE_SIZES[1] for n in numbers)
    return any(s in CLOTHING_SIZES.values() for s in sizes)


def _product_text(p: Product) -> tuple[list[str], list[str]]:
    """Words that say what ``p`` is (name, kind, brand, category), and words that describe it (description,
    attributes)."""
    strong = _tokens(f"{p.name} {p.kind} {p.brand} {p.category}")
    values: list[str] = []
    for value in (p.attributes or {}).values():
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, list | tuple):
            values.extend(str(v) for v in value if isinstance(v, str | int | float))
    return strong, _tokens(f"{p.description} {' '.join(values)}")


def _hits(word: str, tokens: list[str]) -> bool:
    return bool(tokens) and max(fuzz.ratio(word, t) for t in tokens) >= WORD_MATCH


def _need_fit(p: Product, words: list[str], hints: list[str], categories: set[str]) -> tuple[float, tuple[str, ...]]:
    """How well ``p`` serves the need: the caller's own words count most, then the hint kinds, then the category."""
    strong, weak = _product_text(p)
    score = 0.0
    why: list[str] = []
    for w in words:
        if _hits(w, strong):
            score += 2
        elif _hits(w, weak):
            score += 1
    for hint in hints:
        parts = _tokens(hint)
        if parts and all(_hits(w, strong) for w in parts):
            score += 1.5
            why = why or [f"fits the need: {hint}"]
    if p.category in categories:
        score += 1
    if score > 0 and not why:
        why = ["matches what they asked for"]
    return score, tuple(why)


def _best(
    scored: list[tuple[tuple[float, tuple[str, ...]], Product]], limit: int, *, need_signal: bool
) -> list[SuggestionView]:
    ranked = sorted(scored, key=lambda s: (-s[0][0], -s[1].rating_tenths, s[1].price_cents, s[1].sku))
    wanted = max(1, min(limit, MAX_SUGGESTIONS))
    # Variety: one product per kind first (three fleeces are one suggestion), then the next best.
    kinds: set[str] = set()
    varied = []
    for entry in ranked:
        kind = entry[1].kind or entry[1].sku
        if kind not in kinds:
            kinds.add(kind)
            varied.append(entry)
        if len(varied) == wanted:
            break
    picked = varied + [e for e in ranked if e not in varied][: wanted - len(varied)]
    out = []
    for (_, reasons), p in picked:
        if not reasons and not need_signal:
            reasons = ("well rated",) if p.rating_tenths >= 40 else ("in stock now",)
        out.append(SuggestionView(p.sku, p.name, p.category, p.brand, p.price_cents, p.rating_tenths, reasons))
    return out
