"""The product catalogue, read-only: search, details, variants, room fit, specs, compatibility, sizing, style.

Every method is one unit of work bounded by the database timeout (:meth:`services.db.Database.run`) and
returns immutable views (:mod:`services.views`); refusals are typed :class:`~services.errors.ServiceError`\\ s.
The rules behind the answers are data, documented where they live:

* search: words of the query matched against a product's name, brand, kind and (books) author, series and
  genre, tolerant of misspellings and mishearings (rapidfuzz, see :func:`_token_credit`);
* room fit: the clearance rules of thumb in :data:`services.catalog_seed.HOME_CLEARANCE_IN` (a 36 in walkway,
  36 in around a dining table...), and a standard 32 in interior doorway (:data:`DOORWAY_IN`);
* compatibility: ports, connectors, wattage and Qi from each product's ``specs`` (:func:`_compatibility`);
* sizing: each brand's chart in :data:`services.catalog_seed.SIZE_CHARTS`;
* style: complementary kinds (:data:`GOES_WITH`) and colour pairings (:data:`NEUTRAL_COLOURS`,
  :data:`COLOUR_PAIRS`).
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from .catalog_seed import BRAND_FIT_NOTES, ELECTRONICS_SPEC_KEYS, GARMENT_OF_KIND, SIZE_CHARTS, SizeChart
from .db import Database
from .errors import ErrorCode, InvalidInputError, NotFoundError, checked_text
from .models import Product, Seller
from .number_words import NUMBER_WORDS, TEENS, TENS, UNITS, numerals
from .views import (
    ComparisonView,
    CompatibilityView,
    DimensionsView,
    ProductView,
    RelatedProductView,
    RoomFitView,
    SearchHit,
    SizeAdviceView,
    SizeChartRow,
    SpecRow,
    StyleAdviceView,
    VariantView,
    dollars,
)

__all__ = [
    "CATEGORIES",
    "MAX_QUERY",
    "MIN_SCORE",
    "CatalogService",
    "ProductView",
    "SearchHit",
    "VariantView",
    "match_variant",
    "normalise_size",
    "score_products",
]

MIN_SCORE = 60
"""Share of the query's words (weighted by length) a product must match, in percent, to be a search hit."""
RELATIVE_CUTOFF = 15
"""Hits scoring more than this many points below the best hit are dropped (a clear best match stands alone)."""
MAX_QUERY = 100
"""Longest search query, in characters."""
MAX_RESULTS = 10
"""Most hits a search returns."""
MAX_SKU = 16
"""Longest SKU text accepted (a SKU is 8 characters; anything much longer is not one)."""
CATEGORIES = ("home", "electronics", "fashion", "books")
"""The catalogue desks' categories (gift cards are in the catalogue too, outside any desk)."""
DOORWAY_IN = 32
"""Clear width of a standard interior doorway, inches (a 32 in clear opening is the common minimum)."""
WALKWAY_IN = 36
"""Walkway kept free in front of seating and storage (interior-design guidance), inches."""
ROOM_FEET = (3.0, 100.0)
"""Plausible room sides, feet."""
BODY_INCHES: dict[str, tuple[float, float]] = {
    "chest": (20, 70),
    "waist": (18, 65),
    "hip": (25, 70),
    "foot": (7, 14),
}
"""Plausible body measurements, inches (outside: probably centimetres or a mishearing)."""
SIZE_FIELDS: dict[str, tuple[str, ...]] = {
    "tops": ("chest",),
    "bottoms": ("waist", "hip"),
    "dresses": ("chest", "waist", "hip"),
    "shoes": ("foot",),
}
"""The measurements each garment type is sized by (``foot`` is the foot length)."""
BELOW_CHART_SLACK = 2.0
"""Inches below a chart's smallest size still advised as that size (a loose fit) rather than refused."""

_STOPWORDS = frozenset(
    "a an the by of for with and in on to my me i im i'm it its is are was there that this these those one ones "
    "some any please do does you your have has looking look want wanted need needs something like find show get "
    "called named about from new buy can could would".split()
)
_SYNONYMS = {
    "couch": "sofa", "settee": "sofa", "sectional": "sofa", "bookshelf": "bookcase", "bookshelve": "bookcase",
    "shelving": "bookcase", "telly": "tv", "television": "tv", "notebook": "laptop", "earphone": "earbud",
    "earpiece": "earbud", "headset": "headphone", "cellphone": "phone", "smartphone": "phone", "mobile": "phone",
    "trainer": "sneaker", "jumper": "sweater", "pullover": "sweater", "raincoat": "rain jacket", "parka": "jacket",
    "coat": "jacket", "gray": "grey", "hardback": "hardcover", "softcover": "paperback", "kindle": "ebook",
    "audible": "audiobook", "pan": "skillet", "fryingpan": "skillet", "display": "monitor", "cord": "cable",
    "powerbank": "power bank", "scifi": "science fiction", "whodunit": "mystery", "detective": "mystery",
}  # fmt: skip
"""Words callers use for what the catalogue names otherwise (after plural stripping)."""
_CATEGORY_WORDS = {"books": ("book", "read"), "electronics": ("tech", "gadget"), "fashion": ("clothe", "wear")}

NEUTRAL_COLOURS = frozenset(
    {"black", "white", "grey", "navy", "cream", "ivory", "camel", "tan", "stone", "khaki", "indigo", "light wash",
     "mid wash", "charcoal", "brown"}
)  # fmt: skip
"""Colours that go with anything (wardrobe basics)."""
COLOUR_PAIRS: dict[str, tuple[str, ...]] = {
    "red": ("navy", "grey", "indigo", "white"), "yellow": ("navy", "grey", "indigo"),
    "olive": ("cream", "tan", "indigo"),
    "burgundy": ("grey", "navy", "camel"), "forest green": ("cream", "camel", "indigo"), "sage": ("cream", "white"),
    "emerald": ("black", "camel"), "terracotta": ("cream", "indigo", "white"), "orange": ("navy", "grey"),
    "floral print": ("white", "light wash", "tan"), "green": ("cream", "tan"), "blue": ("white", "grey", "tan"),
}  # fmt: skip
"""Accent colour → colours that pair well with it (colour-wheel complements and classic pairings)."""
GOES_WITH: dict[str, tuple[str, ...]] = {
    "rain jacket": ("sweater", "jeans", "boots", "beanie"),
    "denim jacket": ("t-shirt", "dress", "chinos", "sneakers"),
    "puffer jacket": ("sweater", "jeans", "boots", "beanie", "scarf"),
    "fleece": ("t-shirt", "joggers", "jeans", "beanie"),
    "sweater": ("jeans", "chinos", "loafers", "scarf"),
    "hoodie": ("joggers", "jeans", "sneakers", "beanie"),
    "t-shirt": ("jeans", "denim jacket", "chinos", "sneakers"),
    "flannel shirt": ("jeans", "boots", "t-shirt"),
    "jeans": ("t-shirt", "sweater", "denim jacket", "sneakers", "boots"),
    "chinos": ("sweater", "t-shirt", "loafers"),
    "joggers": ("hoodie", "t-shirt", "sneakers"),
    "dress": ("denim jacket", "sneakers", "loafers", "scarf"),
    "sneakers": ("jeans", "t-shirt", "joggers"),
    "boots": ("jeans", "flannel shirt", "rain jacket"),
    "loafers": ("chinos", "sweater"),
    "scarf": ("sweater", "rain jacket", "puffer jacket"),
    "beanie": ("puffer jacket", "rain jacket", "fleece"),
}
"""Fashion kind → kinds that complete an outfit with it."""
_COLOUR_FAMILIES = {
    "blue": ("navy", "indigo", "midnight blue", "light wash", "mid wash", "blue"),
    "red": ("red", "burgundy", "terracotta"),
    "green": ("olive", "sage", "forest green", "emerald", "sage green", "green"),
    "brown": ("tan", "camel", "cognac", "brown", "natural oak", "walnut", "natural birch", "natural alder"),
    "grey": ("grey", "charcoal", "graphite", "silver"),
    "white": ("white", "ivory", "cream"),
    "black": ("black", "matte black"),
    "gold": ("brass",),
}
"""A colour word → the catalogue colours it covers ("the blue one" may mean navy)."""
_FORMAT_WORDS = {
    "hardcover": ("hardcover", "hard cover", "hardback", "hard back", "hard"),
    "paperback": ("paperback", "paper back", "softcover", "soft cover", "paper", "pocket"),
    "ebook": ("ebook", "e-book", "e book", "kindle", "digital", "electronic", "e"),
    "audiobook": ("audiobook", "audio book", "audio", "audible", "listen", "narrated"),
}
_SIZE_WORDS = {
    "xs": "XS", "extra small": "XS", "x small": "XS", "xsmall": "XS", "small": "S", "s": "S", "medium": "M",
    "med": "M", "m": "M", "large": "L", "l": "L", "extra large": "XL", "x large": "XL", "xlarge": "XL", "xl": "XL",
    "xxl": "XXL", "2xl": "XXL", "double extra large": "XXL", "double xl": "XXL", "xx large": "XXL",
    "one size": "one size",
}  # fmt: skip
_NUMBER_WORDS = {**UNITS, **TEENS, **TENS}
"""Sizes said in words ("thirty two"): their values are summed by :func:`normalise_size`."""
_MEASURE_UNITS = {"watt": "w", "w": "w", "inch": "inch", "inche": "inch", "gb": "gb", "tb": "tb", "hour": "hour"}
"""Units callers say after a spoken figure ("twenty watt", "sixty five inch"), as the catalogue writes them."""
_ROOM_WORDS = {
    "living room": ("living", "lounge", "sitting", "front room", "den", "family"),
    "bedroom": ("bedroom", "bed room", "guest room", "nursery", "kids"),
    "dining room": ("dining",),
    "home office": ("office", "study", "workspace", "work room"),
    "kitchen": ("kitchen",),
    "entryway": ("entry", "hall", "foyer", "mudroom"),
    "bathroom": ("bath", "washroom"),
    "reading nook": ("nook", "reading"),
}


# --- text matching ---------------------------------------------------------------------------------------


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    """Lower-case words of ``text`` (hyphens and apostrophes join: ``usb-c`` → ``usbc``), stemmed."""
    text = text.casefold().replace("'", "").replace("’", "")
    text = re.sub(r"(?<=\w)-(?=\w)", "", text)
    return [_stem(w) for w in re.findall(r"[^\W_]+", text)]


def _spoken_figures(words: list[str]) -> list[str]:
    """``["twenty", "watt", "charger"]`` → ``["20", "w", "charger"]``: a spoken number becomes digits only
    when a unit follows it (so "the blue one" keeps its "one")."""
    out: list[str] = []
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and (words[j] in NUMBER_WORDS or (words[j] == "and" and j > i)):
            j += 1
        if j > i and j < len(words) and words[j] in _MEASURE_UNITS:
            out.extend(numerals(words[i:j], hundreds=True))
            out.append(_MEASURE_UNITS[words[j]])
            i = j + 1
        elif j > i:
            out.extend(words[i:j])
            i = j
        else:
            out.append(_MEASURE_UNITS.get(words[i], words[i]) if out and out[-1].isdigit() else words[i])
            i += 1
    return out


def _query_words(text: str) -> list[str]:
    words = []
    for w in _spoken_figures(_words(text)):
        if w in _STOPWORDS:
            continue
        words.extend(_SYNONYMS.get(w, w).split())
    return words


def _doc_words(product: ProductView | Product) -> set[str]:
    """The words a product can be found by: name, brand, kind, colours; books add author, series, genre;
    Bluetooth devices add "wireless" and "bluetooth"."""
    attrs = product.attributes or {}
    parts = [product.name, product.brand, product.kind]
    if product.category == "books":
        parts += [str(attrs.get(k, "")) for k in ("title", "author", "series", "genre", "narrator")]
    colours = [str(c) for c in attrs.get("colours", ())]
    if isinstance(product, ProductView):
        colours += list(product.options("colour"))
    parts += colours + [family for family, members in _COLOUR_FAMILIES.items() if set(members) & set(colours)]
    words = set()
    for part in parts:
        split = _words(part.replace("-", " "))
        words.update(split)
        words.update(_words(part))
        words.update(a + b for a, b in itertools.pairwise(split))  # "light house" → "lighthouse"
    words.update(_CATEGORY_WORDS.get(product.category, ()))
    if (attrs.get("specs") or {}).get("bluetooth"):  # what callers call Bluetooth audio: "wireless earbuds"
        words.update(("wireless", "bluetooth"))
    return {w for w in words if w}


def _token_credit(query_word: str, vocabulary: Sequence[str]) -> dict[str, float]:
    """How well ``query_word`` matches each vocabulary word, 0–1 (only the words it matches at all).

    Short words (three letters or fewer, and numbers) must match exactly; longer ones are matched with
    rapidfuzz's ratio: 90 and above counts fully, 78–90 partly (a misspelling or a mishearing), below not.
    """
    if len(query_word) <= 3 or query_word.isdigit():
        return {query_word: 1.0} if query_word in vocabulary else {}
    credits = {}
    for word, score, _ in process.extract(query_word, vocabulary, scorer=fuzz.ratio, score_cutoff=78, limit=None):
        credits[word] = 1.0 if score >= 90 else 0.5 + (score - 78) / 30
    return credits


MODEL_CODE_WEIGHT = 8.0
"""Weight of a word mixing letters and digits ("Q7", "Flex5"): a model code tells products of one line apart."""


def _weight(word: str) -> float:
    """How much a query word counts: numbers 3, model codes :data:`MODEL_CODE_WEIGHT`, other words their length ≤ 8."""
    if word.isdigit():
        return 3.0
    if any(c.isdigit() for c in word):
        return MODEL_CODE_WEIGHT
    return float(min(len(word), 8))


def _score(query: list[str], docs: dict[str, tuple[set[str], set[str]]]) -> dict[str, tuple[float, float]]:
    """Score each document (``key → (words, name words)``) for the query words.

    Returns ``key → (coverage, precision)``: coverage is the weighted share of the query words the product
    matches (0–100, longer words weigh more, numbers 3, model codes 8); precision the share of the product's own name
    words the query matched (0–1), which ranks "Alpine rain jacket" above "Summit packable rain jacket" for
    "rain jacket". Two adjacent query words also match one document word ("lite house" → "lighthouse").
    """
    vocabulary = sorted(set().union(*(words for words, _ in docs.values()))) if docs else []
    singles = [_token_credit(w, vocabulary) for w in query]
    # Two spoken words for one written word ("lite house"): only plain words, never a model code or number
    # (they must match exactly: "Lumen Q7" is not "Lumen Q4").
    pairs = [
        _token_credit(a + b, vocabulary) if a.isalpha() and b.isalpha() and len(b) > 3 else {}
        for a, b in itertools.pairwise(query)
    ]
    weights = [_weight(w) for w in query]
    total = sum(weights) or 1.0
    scores = {}
    for key, (words, name_words) in docs.items():
        credit = [0.0] * len(query)
        hit: set[str] = set()
        for i in range(len(query)):
            matched = {w: c for w, c in singles[i].items() if w in words}
            if matched:
                credit[i] = max(matched.values())
                hit.update(matched)
        for i, pair in enumerate(pairs):
            matched = {w: c for w, c in pair.items() if w in words}
            if matched:
                best = max(matched.values())
                credit[i], credit[i + 1] = max(credit[i], best), max(credit[i + 1], best)
                hit.update(matched)
        coverage = 100.0 * sum(c * w for c, w in zip(credit, weights, strict=True)) / total
        precision = len(name_words & hit) / len(name_words) if name_words else 0.0
        scores[key] = (coverage, precision)
    return scores


def score_products(query: str, products: Sequence[ProductView]) -> list[SearchHit]:
    """Score products already in hand (e.g. the ones the caller was just shown) for what the caller said.

    Same scoring as :meth:`CatalogService.search_hits`, plus the variants' colours and their families
    ("the blue one" matches a navy variant); no database access, no cut-off.

    Returns:
        Every product with its score and precision, best first (ties keep the given order).
    """
    words = _query_words(query)
    if not words or not products:
        return []
    scores = _score(words, {p.sku: (_doc_words(p), set(_words(p.name))) for p in products})
    hits = [SearchHit(p, round(scores[p.sku][0], 1), round(scores[p.sku][1], 2)) for p in products]
    return sorted(hits, key=lambda h: (-round(h.score), -h.precision))


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.casefold().replace("-", " ")))


# --- variants ---------------------------------------------------------------------------------------------


def normalise_size(text: str) -> str:
    """A spoken or written size in catalogue form: ``"medium"`` → ``"M"``, ``"size nine and a half"`` → ``"9.5"``,
    ``"thirty two"`` → ``"32"``, ``"256gb"`` → ``"256 GB"``; anything else is returned trimmed."""
    words = _normal(text).replace("size", " ").split()
    phrase = " ".join(words)
    if phrase in _SIZE_WORDS:
        return _SIZE_WORDS[phrase]
    half = phrase.endswith("and a half") or phrase.endswith("half")
    core = phrase.removesuffix("and a half").removesuffix("half").strip().split()
    number: float | None = None
    if core and all(w in _NUMBER_WORDS for w in core):
        number = float(sum(_NUMBER_WORDS[w] for w in core))
    elif len(core) == 1 and re.fullmatch(r"\d+(\.\d+)?", core[0]):
        number = float(core[0])
    elif len(core) == 2 and core[0].isdigit() and core[1] in ("gb", "tb"):
        return f"{core[0]} {core[1].upper()}"
    elif len(core) == 1 and (storage := re.fullmatch(r"(\d+)(gb|tb)", core[0])):
        return f"{storage.group(1)} {storage.group(2).upper()}"
    if number is not None:
        number += 0.5 if half else 0
        return f"{number:g}"
    return text.strip()


def _matches_size(requested: str, option: str) -> bool:
    want = normalise_size(requested).casefold().replace(" ", "")
    have = option.casefold().replace(" ", "")
    return want == have or (want.isdigit() and have.startswith(want) and have[len(want) :] in ("gb", "tb"))


def _colour_options(requested: str, options: Iterable[str]) -> list[str]:
    """The colour options ``requested`` names: exact, contained ("navy blue" → navy), a family ("blue" → navy,
    indigo), or a near spelling ("gray" → grey)."""
    want = _normal(requested).replace("gray", "grey").replace("colour", "").replace("color", "").strip()
    opts = list(options)
    exact = [o for o in opts if _normal(o) == want]
    if exact:
        return exact
    contained = [o for o in opts if _normal(o) and (_normal(o) in want or want in _normal(o))]
    if contained:
        return contained
    family = _COLOUR_FAMILIES.get(want, ())
    in_family = [o for o in opts if o in family]
    if in_family:
        return in_family
    return [o for o in opts if fuzz.ratio(want, _normal(o)) >= 80]


def _format_option(requested: str) -> str:
    want = _normal(requested)
    for fmt, words in _FORMAT_WORDS.items():
        if want in words or want.replace(" ", "") in words:
            return fmt
    return want


def match_variant(product: ProductView, *, size: str = "", colour: str = "", format: str = "") -> VariantView:
    """The variant of ``product`` the caller described (no database access).

    A blank argument means "not said": when the product comes in several of that dimension, the caller
    must choose (``variant_required``), unless only one is left once the others are fixed. Sizes are
    normalised (:func:`normalise_size`), colours matched by name, family or spelling, formats by the
    words callers use ("hard cover", "audio").

    Returns:
        The variant (in stock or not: the caller decides).

    Raises:
        NotFoundError: ``variant_not_found`` (what was asked is not made).
        InvalidInputError: ``variant_required`` (several match; say which).
    """
    candidates = list(product.variants)
    wanted = {"size": size.strip(), "colour": colour.strip(), "format": format.strip()}
    for dimension in ("format", "size", "colour"):
        options = product.options(dimension)
        said = wanted[dimension]
        if not said or not options:
            continue
        if dimension == "size":
            chosen = [o for o in options if _matches_size(said, o)]
        elif dimension == "colour":
            chosen = _colour_options(said, options)
        else:
            fmt = _format_option(said)
            chosen = [o for o in options if o == fmt]
        kept = [v for v in candidates if getattr(v, dimension) in chosen]
        if not kept:
            available = tuple(dict.fromkeys(getattr(v, dimension) for v in candidates if getattr(v, dimension)))
            raise NotFoundError(
                ErrorCode.VARIANT_NOT_FOUND,
                sku=product.sku,
                name=product.title,
                dimension=dimension,
                requested=said,
                options=available or options,
            )
        candidates = kept
    for dimension in ("format", "size", "colour"):
        remaining = tuple(dict.fromkeys(getattr(v, dimension) for v in candidates if getattr(v, dimension)))
        if len(remaining) > 1:
            raise InvalidInputError(
                ErrorCode.VARIANT_REQUIRED, sku=product.sku, name=product.title, dimension=dimension, options=remaining
            )
    return candidates[0]


# --- rows to views ---------------------------------------------------------------------------------------


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _view(product: Product, seller_name: str = "") -> ProductView:
    variants = tuple(
        VariantView(v.id, v.sku, v.size, v.colour, v.format, v.price_cents, v.stock) for v in product.variants
    )
    return ProductView(
        sku=product.sku,
        name=product.name,
        category=product.category,
        price_cents=product.price_cents,
        in_stock=any(v.stock > 0 for v in variants) if variants else product.stock > 0,
        stock=sum(v.stock for v in variants) if variants else product.stock,
        brand=product.brand,
        kind=product.kind,
        description=product.description,
        rating_tenths=product.rating_tenths,
        seller_id=product.seller_id,
        seller_name=seller_name,
        attributes=_frozen(copy.deepcopy(product.attributes or {})),
        variants=variants,
    )


def _sku_text(sku: object) -> str:
    text = checked_text(sku, field="product", max_len=MAX_SKU)
    return text.upper()


def _not_applicable(product: ProductView, feature: str) -> InvalidInputError:
    return InvalidInputError(
        ErrorCode.NOT_APPLICABLE,
        sku=product.sku,
        name=product.title,
        category=product.category,
        kind=product.kind,
        feature=feature,
    )


def _inches(value: float) -> str:
    return f"{value:g} in"


def _feet_inches(inches: float) -> str:
    feet, rest = divmod(round(inches), 12)
    return f"{feet} ft {rest} in" if rest else f"{feet} ft"


# --- the service -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Filters:
    category: str | None
    kind: str
    brand: str
    max_price_cents: int | None
    in_stock_only: bool


class CatalogService:
    """Read-only access to the catalogue. Every method is bounded by the database timeout."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # ------------------------------------------------------------------ search

    async def search(
        self,
        category: str | None,
        query: str,
        *,
        limit: int = 3,
        kind: str = "",
        brand: str = "",
        max_price_cents: int | None = None,
        in_stock_only: bool = False,
    ) -> list[ProductView]:
        """Best matches of ``query``, best first (see :meth:`search_hits`)."""
        hits = await self.search_hits(
            query,
            category=category,
            limit=limit,
            kind=kind,
            brand=brand,
            max_price_cents=max_price_cents,
            in_stock_only=in_stock_only,
        )
        return [h.product for h in hits]

    async def search_hits(
        self,
        query: str,
        *,
        category: str | None = None,
        limit: int = 3,
        kind: str = "",
        brand: str = "",
        max_price_cents: int | None = None,
        in_stock_only: bool = False,
        within: Sequence[str] | None = None,
        min_score: float = MIN_SCORE,
    ) -> list[SearchHit]:
        """Products matching ``query``, best first, with their scores.

        A product scores the weighted share of the query's words it matches (0–100, :func:`_score`): words
        of its name, brand, kind and colours, and for books the title, author, series, genre and narrator.
        Misspellings and mishearings still match ("hedphones", "lite house keeper"); filler words ("the",
        "by", "looking for") are ignored. Hits below ``min_score`` or more than :data:`RELATIVE_CUTOFF` points
        under the best are dropped; ties go to the better-rated, then in-stock, then lower SKU.

        Args:
            query: What the caller said, e.g. ``"the lighthouse keeper by eleanor vance"``.
            category: ``home``, ``electronics``, ``fashion``, ``books``, ``gift_cards``; ``None`` or ``""`` for all.
            limit: Most hits returned (1–10).
            kind: Only this kind (``"sofa"``), matched loosely ("sofas", "Sofa"); ``""`` for any.
            brand: Only this brand, matched loosely; ``""`` for any.
            max_price_cents: Only products whose main price is at most this.
            in_stock_only: Only products with a variant in stock.
            within: Only these SKUs (e.g. the products the caller was just shown).
            min_score: Lowest score kept (0–100).

        Raises:
            InvalidInputError: ``field_missing``, ``field_too_long``, ``not_text`` or ``text_not_encodable``
                (``field`` is ``search query``).
        """
        text = checked_text(query, field="search query", max_len=MAX_QUERY)
        words = _query_words(text)
        if not words:
            return []
        filters = _Filters(category or None, _normal(kind), _normal(brand), max_price_cents, in_stock_only)
        limit = max(1, min(limit, MAX_RESULTS))

        async def _search(session: AsyncSession) -> list[SearchHit]:
            stmt = select(Product)
            if filters.category:
                stmt = stmt.where(Product.category == filters.category)
            if filters.max_price_cents is not None:
                stmt = stmt.where(Product.price_cents <= filters.max_price_cents)
            if filters.in_stock_only:
                stmt = stmt.where(Product.stock > 0)
            if within is not None:
                stmt = stmt.where(Product.sku.in_(list(within)))
            rows = [p for p in await session.scalars(stmt) if _passes(p, filters)]
            scores = _score(words, {p.sku: (_doc_words(p), set(_words(p.name))) for p in rows})

            def rank(p: Product) -> tuple[Any, ...]:
                coverage, precision = scores[p.sku]
                return (-round(coverage), -round(precision, 2), -p.rating_tenths, p.stock <= 0, p.sku)

            ranked = sorted(rows, key=rank)
            if not ranked or scores[ranked[0].sku][0] < min_score:
                return []
            best = scores[ranked[0].sku][0]
            kept = [p for p in ranked if scores[p.sku][0] >= max(min_score, best - RELATIVE_CUTOFF)][:limit]
            views = await _load(session, [p.sku for p in kept])
            return [SearchHit(views[p.sku], round(scores[p.sku][0], 1), round(scores[p.sku][1], 2)) for p in kept]

        return await self._db.run(_search)

    async def browse(
        self, category: str, *, kind: str = "", max_price_cents: int | None = None, limit: int = 5
    ) -> list[ProductView]:
        """Best-rated products of a category (optionally one kind, under a price), in stock first.

        For "what sofas do you have under $800?" where the caller names no product.
        """

        async def _browse(session: AsyncSession) -> list[ProductView]:
            stmt = select(Product).where(Product.category == category)
            if max_price_cents is not None:
                stmt = stmt.where(Product.price_cents <= max_price_cents)
            filters = _Filters(category, _normal(kind), "", max_price_cents, False)
            rows = [p for p in await session.scalars(stmt) if _passes(p, filters)]
            rows.sort(key=lambda p: (p.stock <= 0, -p.rating_tenths, p.price_cents, p.sku))
            views = await _load(session, [p.sku for p in rows[: max(1, min(limit, MAX_RESULTS))]])
            return [views[p.sku] for p in rows[: max(1, min(limit, MAX_RESULTS))]]

        return await self._db.run(_browse)

    # ------------------------------------------------------------------ details

    async def get_product(self, sku: str) -> ProductView:
        """One product with its variants and seller.

        Raises:
            NotFoundError: ``product_not_found``.
            InvalidInputError: the SKU is not short plain text.
        """
        key = _sku_text(sku)

        async def _get(session: AsyncSession) -> ProductView:
            views = await _load(session, [key])
            if key not in views:
                raise NotFoundError(ErrorCode.PRODUCT_NOT_FOUND, sku=key)
            return views[key]

        return await self._db.run(_get)

    async def get_products(self, skus: Sequence[str]) -> list[ProductView]:
        """The products with these SKUs that exist, in the order given (unknown SKUs are skipped)."""
        keys = [s.upper() for s in skus if isinstance(s, str) and len(s) <= MAX_SKU][:50]

        async def _get(session: AsyncSession) -> list[ProductView]:
            views = await _load(session, keys)
            return [views[k] for k in dict.fromkeys(keys) if k in views]

        return await self._db.run(_get)

    async def variant(self, sku: str, *, size: str = "", colour: str = "", format: str = "") -> VariantView:
        """The variant of a product the caller described (see :func:`match_variant`).

        Raises:
            NotFoundError: ``product_not_found``, ``variant_not_found``.
            InvalidInputError: ``variant_required``.
        """
        product = await self.get_product(sku)
        return match_variant(product, size=size, colour=colour, format=format)

    # ------------------------------------------------------------------ home

    async def dimensions(self, sku: str, *, room: str = "") -> DimensionsView:
        """Dimensions, clearance, assembly, weight capacity and, for a room type, whether the piece suits it.

        Clearance comes from :data:`services.catalog_seed.HOME_CLEARANCE_IN`; the doorway check is against a
        standard :data:`DOORWAY_IN` opening, on the piece's two smallest dimensions, for pieces delivered
        assembled (flat-packed pieces pass any doorway).

        Args:
            sku: A home product.
            room: A room type in the caller's words ("lounge", "home office"), or ``""``.

        Raises:
            NotFoundError: ``product_not_found``.
            InvalidInputError: ``not_applicable`` (feature ``dimensions``) for a product without dimensions.
        """
        product = await self.get_product(sku)
        a = product.attributes
        if product.category != "home" or "width_in" not in a:
            raise _not_applicable(product, "dimensions")
        clearance = a.get("clearance_in") or {}
        front, back, sides = (int(clearance.get(k, 0)) for k in ("front", "back", "sides"))
        width, depth, height = int(a["width_in"]), int(a["depth_in"]), int(a["height_in"])
        assembled = not a.get("assembly_required", False)
        smallest_two = sorted((width, depth, height))[:2]
        through = (smallest_two[0] <= DOORWAY_IN) if assembled else None
        room_name = _room_type(room) if room.strip() else ""
        rooms = tuple(str(r) for r in a.get("rooms", ()))
        return DimensionsView(
            sku=product.sku,
            name=product.name,
            kind=product.kind,
            width_in=width,
            depth_in=depth,
            height_in=height,
            weight_lb=int(a.get("weight_lb", 0)),
            weight_capacity_lb=int(a.get("weight_capacity_lb", 0)),
            assembly_required=not assembled,
            assembly_minutes=int(a.get("assembly_minutes", 0)),
            materials=tuple(str(m) for m in a.get("materials", ())),
            rooms=rooms,
            clearance_front_in=front,
            clearance_back_in=back,
            clearance_sides_in=sides,
            clearance_note=str(a.get("clearance_note", "")),
            needs_length_in=width + 2 * sides,
            needs_width_in=depth + front + back,
            through_doorway=through,
            room=room_name,
            room_suited=(room_name in rooms) if room_name else None,
        )

    async def check_room_fit(self, sku: str, room_length_ft: float, room_width_ft: float) -> RoomFitView:
        """Whether a piece, with the free floor it needs around it, fits a rectangular room.

        Rule: the footprint is (width + clearance on both sides) by (depth + clearance in front and behind),
        from :data:`services.catalog_seed.HOME_CLEARANCE_IN` (a 36 in walkway in front of a sofa, 36 in round a
        dining table, 24 in beside a bed, 12 in behind a recliner); it fits when that rectangle fits the floor
        in either orientation. Doors, radiators and other furniture are not known, so the answer is the best
        case; above half the floor the reason says the room will feel full.

        Args:
            sku: A home product with dimensions.
            room_length_ft / room_width_ft: The room's sides in feet (3–100).

        Raises:
            NotFoundError: ``product_not_found``.
            InvalidInputError: ``not_applicable`` (feature ``room fit``) for kitchenware, lamps on tables...;
                ``measurement_out_of_range`` for implausible room sides.
        """
        for name, value in (("room length", room_length_ft), ("room width", room_width_ft)):
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or not (ROOM_FEET[0] <= value <= ROOM_FEET[1])
            ):
                raise InvalidInputError(
                    ErrorCode.MEASUREMENT_OUT_OF_RANGE,
                    field=name,
                    value=value if isinstance(value, int | float) else str(value)[:12],
                    low=ROOM_FEET[0],
                    high=ROOM_FEET[1],
                    unit="ft",
                )
        dims = await self.dimensions(sku)
        product_kind = dims.kind
        if dims.clearance_note == "" and product_kind not in ("floor lamp", "side table"):
            product = await self.get_product(sku)
            raise _not_applicable(product, "room fit")
        room_l, room_w = round(room_length_ft * 12), round(room_width_ft * 12)
        long_side, short_side = max(room_l, room_w), min(room_l, room_w)
        need_a, need_b = dims.needs_length_in, dims.needs_width_in
        big, small = max(need_a, need_b), min(need_a, need_b)
        spare = min(long_side - big, short_side - small)
        fits = spare >= 0
        share = round(100 * need_a * need_b / max(1, room_l * room_w))
        needs = f"{_feet_inches(need_a)} by {_feet_inches(need_b)}"
        clearance = f" including {dims.clearance_note}" if dims.clearance_note else ""
        room_text = f"{room_length_ft:g} by {room_width_ft:g} ft room"
        if fits:
            reason = (
                f"It fits: the {dims.name} needs {needs}{clearance}, and the {room_text} leaves {spare} in to spare."
            )
            if share > 50:
                reason += f" It would take about {share}% of the floor, so the room will feel full."
        else:
            reason = (
                f"It does not fit: the {dims.name} needs {needs}{clearance}, and the {room_text} is {-spare} in short."
            )
        return RoomFitView(
            sku=dims.sku,
            name=dims.name,
            fits=fits,
            reason=reason,
            needs_length_in=need_a,
            needs_width_in=need_b,
            room_length_in=room_l,
            room_width_in=room_w,
            spare_in=spare,
            floor_share_pct=share,
        )

    # ------------------------------------------------------------------ comparing

    async def compare(self, skus: Sequence[str]) -> ComparisonView:
        """Two or three products of one category side by side: price, rating, stock and the category's facts.

        Rows per category: electronics, the specs of their kinds (:data:`services.catalog_seed.ELECTRONICS_SPEC_KEYS`);
        home, dimensions, capacity, assembly and materials; fashion, brand fit, material, fit, colours and sizes
        in stock; books, author, pages, year, series and formats.

        Raises:
            NotFoundError: ``product_not_found``.
            InvalidInputError: ``not_comparable`` (``count``: not 2–3 distinct products; ``categories``: mixed).
        """
        keys = list(dict.fromkeys(_sku_text(s) for s in skus))
        if not 2 <= len(keys) <= 3:
            raise InvalidInputError(ErrorCode.NOT_COMPARABLE, reason="count", names=tuple(keys))
        products = [await self.get_product(k) for k in keys]
        if len({p.category for p in products}) > 1:
            raise InvalidInputError(
                ErrorCode.NOT_COMPARABLE, reason="categories", names=tuple(p.title for p in products)
            )
        rows = [
            SpecRow("price", tuple(_price_range(p) for p in products)),
            SpecRow("rating", tuple(f"{p.rating_tenths / 10:.1f} of 5" for p in products)),
            SpecRow("availability", tuple("in stock" if p.in_stock else "out of stock" for p in products)),
            *_category_rows(products),
        ]
        rows.sort(key=lambda r: not r.differs)
        return ComparisonView(tuple(products), tuple(rows))

    async def compatibility(self, first: str, second: str) -> CompatibilityView:
        """Whether two electronics products work together, decided from their specs (:func:`_compatibility`).

        Raises:
            NotFoundError: ``product_not_found``.
            InvalidInputError: ``not_applicable`` (feature ``compatibility``) unless both are electronics;
                ``not_comparable`` (``count``) for the same product twice.
        """
        a, b = await self.get_product(first), await self.get_product(second)
        if a.sku == b.sku:
            raise InvalidInputError(ErrorCode.NOT_COMPARABLE, reason="count", names=(a.title,))
        for p in (a, b):
            if p.category != "electronics":
                raise _not_applicable(p, "compatibility")
        compatible, reason, caveat = _compatibility(a, b)
        return CompatibilityView(a, b, compatible, reason, caveat)

    # ------------------------------------------------------------------ fashion

    async def size_advice(
        self, sku: str, *, chest_in: float = 0, waist_in: float = 0, hip_in: float = 0, foot_in: float = 0
    ) -> SizeAdviceView:
        """The size to order from the caller's body measurements and the brand's chart.

        Rule: for each measurement the garment is sized by (:data:`SIZE_FIELDS`), the smallest size whose
        range reaches it (between two sizes: the larger); over several measurements, the largest of those.
        Charts are the brands' (:data:`services.catalog_seed.SIZE_CHARTS`), so a brand that runs small gives a
        larger size for the same chest. With no measurement, the chart alone (``size`` is ``None``).

        Args:
            sku: A fashion product.
            chest_in / waist_in / hip_in: Body measurements in inches (0: not given).
            foot_in: Foot length in inches, for shoes (0: not given).

        Raises:
            NotFoundError: ``product_not_found``.
            InvalidInputError: ``not_applicable`` (``size guide``: one-size items, non-fashion),
                ``measurement_out_of_range``, ``measurement_required`` (only measurements the garment is not
                sized by), ``no_fitting_size``.
        """
        given = {"chest": chest_in, "waist": waist_in, "hip": hip_in, "foot": foot_in}
        for name, value in given.items():
            low, high = BODY_INCHES[name]
            if not isinstance(value, int | float) or isinstance(value, bool) or (value and not low <= value <= high):
                raise InvalidInputError(
                    ErrorCode.MEASUREMENT_OUT_OF_RANGE,
                    field="foot length" if name == "foot" else name,
                    value=value if isinstance(value, int | float) else str(value)[:12],
                    low=low,
                    high=high,
                    unit="in",
                )
        product = await self.get_product(sku)
        garment = str(product.attributes.get("garment") or GARMENT_OF_KIND.get(product.kind, ""))
        charts = SIZE_CHARTS.get(product.brand, {})
        if product.category != "fashion" or garment not in SIZE_FIELDS or not charts:
            raise _not_applicable(product, "size guide")
        chart = charts.get(garment) or charts.get("tops") or {}
        fields = SIZE_FIELDS[garment]
        ordered = sorted(chart.items(), key=lambda kv: min(lo for lo, _ in kv[1].values()))
        rows = tuple(
            SizeChartRow(size, tuple((m, lo, hi) for m, (lo, hi) in ranges.items())) for size, ranges in ordered
        )
        fit_note = BRAND_FIT_NOTES.get(product.brand, "")
        measured = {f: float(given[f]) for f in fields if given[f]}
        if not measured:
            if any(given.values()):
                raise InvalidInputError(
                    ErrorCode.MEASUREMENT_REQUIRED, sku=product.sku, name=product.name, garment=garment, fields=fields
                )
            return SizeAdviceView(
                product.sku, product.name, product.brand, garment, None, "", fit_note, rows, False, ()
            )
        size, reason = _pick_size(product, chart, ordered, measured)
        offered = size in product.options("size")
        colours = tuple(v.colour for v in product.variants if v.size == size and v.in_stock)
        if fit_note:
            reason += f" {product.brand} {fit_note.split(';')[0]}."
        return SizeAdviceView(
            product.sku, product.name, product.brand, garment, size, reason, fit_note, rows, offered, colours
        )

    async def style_advice(self, sku: str, *, limit: int = 3) -> StyleAdviceView:
        """What goes with a fashion item: pairing colours and in-stock items of complementary kinds.

        Rule: kinds from :data:`GOES_WITH`; a suggestion must come in a colour that pairs with one of the
        item's colours (neutrals pair with anything, accents with :data:`COLOUR_PAIRS`); best rated first,
        at most one per kind.

        Raises:
            NotFoundError: ``product_not_found``.
            InvalidInputError: ``not_applicable`` (``style advice``) for non-fashion products.
        """
        item = await self.get_product(sku)
        if item.category != "fashion" or item.kind not in GOES_WITH:
            raise _not_applicable(item, "style advice")
        colours = item.options("colour")
        pairing = _pairing_colours(colours)
        kinds = GOES_WITH[item.kind]

        async def _find(session: AsyncSession) -> list[ProductView]:
            stmt = select(Product).where(Product.category == "fashion", Product.kind.in_(kinds), Product.stock > 0)
            rows = list(await session.scalars(stmt))
            rows.sort(key=lambda p: (kinds.index(p.kind), -p.rating_tenths, p.sku))
            views = await _load(session, [p.sku for p in rows])
            return [views[p.sku] for p in rows]

        suggestions: list[RelatedProductView] = []
        used: set[str] = set()
        for candidate in await self._db.run(_find):
            if candidate.kind in used:
                continue
            good = [v.colour for v in candidate.variants if v.in_stock and v.colour in pairing]
            if not good:
                continue
            used.add(candidate.kind)
            reason = f"in {good[0]}, it goes with the {item.kind} in {' or '.join(colours[:2]) or 'its colour'}"
            suggestions.append(RelatedProductView(candidate, reason))
            if len(suggestions) >= max(1, min(limit, 5)):
                break
        return StyleAdviceView(item, tuple(sorted(pairing))[:6], tuple(suggestions))

    # ------------------------------------------------------------------ similar, books

    async def similar(self, sku: str, *, limit: int = 3) -> list[RelatedProductView]:
        """Products like this one, best first.

        Books: the next books of the same series first, then the same author, then the same genre (better
        rated first). Other categories: the same kind, closest in price, same brand first on ties; in-stock
        items before out-of-stock ones.

        Raises:
            NotFoundError: ``product_not_found``.
        """
        item = await self.get_product(sku)

        async def _find(session: AsyncSession) -> list[ProductView]:
            stmt = select(Product).where(Product.category == item.category, Product.sku != item.sku)
            if item.category != "books":
                stmt = stmt.where(Product.kind == item.kind)
            rows = list(await session.scalars(stmt))
            ranked = sorted(rows, key=lambda p: _similarity_key(item, p))[: max(1, min(limit, 5))]
            views = await _load(session, [p.sku for p in ranked])
            return [views[p.sku] for p in ranked]

        found = await self._db.run(_find)
        return [RelatedProductView(p, _similarity_reason(item, p)) for p in found if _related(item, p)]

    async def series(self, sku: str) -> list[ProductView]:
        """Every book of the series ``sku`` belongs to, in series order.

        Raises:
            NotFoundError: ``product_not_found``.
            InvalidInputError: ``not_applicable`` (``series``) for a book outside a series or a non-book.
        """
        book = await self.get_product(sku)
        name = str(book.attributes.get("series") or "")
        if book.category != "books" or not name:
            raise _not_applicable(book, "series")

        async def _find(session: AsyncSession) -> list[ProductView]:
            rows = [
                p
                for p in await session.scalars(select(Product).where(Product.category == "books"))
                if (p.attributes or {}).get("series") == name
            ]
            rows.sort(key=lambda p: int((p.attributes or {}).get("series_number") or 0))
            views = await _load(session, [p.sku for p in rows])
            return [views[p.sku] for p in rows]

        return await self._db.run(_find)


# --- helpers of the service ------------------------------------------------------------------------------


async def _load(session: AsyncSession, skus: Sequence[str]) -> dict[str, ProductView]:
    """Full views (variants, seller name) of these SKUs, by SKU."""
    if not skus:
        return {}
    stmt = (
        select(Product, Seller.name)
        .outerjoin(Seller, Seller.id == Product.seller_id)
        .where(Product.sku.in_(list(skus)))
        .options(selectinload(Product.variants))
    )
    return {p.sku: _view(p, seller or "") for p, seller in (await session.execute(stmt)).all()}


def _passes(product: Product, filters: _Filters) -> bool:
    if filters.kind:
        kind = _normal(product.kind)
        wanted = " ".join(_stem(w) for w in filters.kind.split())
        if wanted not in (kind, " ".join(_stem(w) for w in kind.split())) and wanted not in kind:
            return False
    if filters.brand and fuzz.partial_ratio(filters.brand, _normal(product.brand)) < 85:
        return False
    return True


def _room_type(text: str) -> str:
    said = _normal(text)
    for room, words in _ROOM_WORDS.items():
        if said == room or any(w in said for w in words):
            return room
    return said[:40]


def _price_range(product: ProductView) -> str:
    prices = sorted({v.price_cents for v in product.variants}) or [product.price_cents]
    if len(prices) == 1:
        return dollars(prices[0])
    return f"{dollars(prices[0])} to {dollars(prices[-1])}"


def _spoken_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    if value in ("", None):
        return "none"
    return str(value)


def _category_rows(products: Sequence[ProductView]) -> list[SpecRow]:
    category = products[0].category
    rows: list[SpecRow] = []
    if category == "electronics":
        keys: dict[str, str] = {}
        for p in products:
            for key, label in ELECTRONICS_SPEC_KEYS.get(p.kind, ()):
                keys.setdefault(key, label)
        for key, label in keys.items():
            values = tuple(_spoken_value((p.attributes.get("specs") or {}).get(key, "")) for p in products)
            rows.append(SpecRow(label, values))
    elif category == "home":
        rows.append(
            SpecRow(
                "size (W x D x H)",
                tuple(
                    f"{p.attributes.get('width_in', '?')} x {p.attributes.get('depth_in', '?')} x "
                    f"{p.attributes.get('height_in', '?')} in"
                    for p in products
                ),
            )
        )
        for key, label in (("weight_capacity_lb", "weight capacity (lb)"), ("materials", "materials")):
            rows.append(SpecRow(label, tuple(_spoken_value(p.attributes.get(key, "")) for p in products)))
        rows.append(
            SpecRow(
                "assembly",
                tuple(
                    f"about {p.attributes.get('assembly_minutes')} minutes"
                    if p.attributes.get("assembly_required")
                    else "none"
                    for p in products
                ),
            )
        )
    elif category == "fashion":
        rows.append(SpecRow("brand fit", tuple(BRAND_FIT_NOTES.get(p.brand, "not stated") for p in products)))
        for key in ("material", "fit"):
            rows.append(SpecRow(key, tuple(_spoken_value(p.attributes.get(key, "")) for p in products)))
        rows.append(SpecRow("colours", tuple(_spoken_value(p.options("colour")) for p in products)))
        rows.append(
            SpecRow(
                "sizes in stock",
                tuple(_spoken_value(tuple(dict.fromkeys(v.size for v in p.variants if v.in_stock))) for p in products),
            )
        )
    elif category == "books":
        rows.append(SpecRow("author", tuple(p.author or "unknown" for p in products)))
        for key, label in (("pages", "pages"), ("year", "published"), ("genre", "genre")):
            rows.append(SpecRow(label, tuple(_spoken_value(p.attributes.get(key, "")) for p in products)))
        rows.append(
            SpecRow(
                "series",
                tuple(
                    f"{p.attributes.get('series')}, book {p.attributes.get('series_number')}"
                    if p.attributes.get("series")
                    else "standalone"
                    for p in products
                ),
            )
        )
        rows.append(SpecRow("formats", tuple(_spoken_value(p.options("format")) for p in products)))
    return rows


def _pick_size(
    product: ProductView,
    chart: SizeChart,
    ordered: list[tuple[str, dict[str, tuple[float, float]]]],
    measured: dict[str, float],
) -> tuple[str, str]:
    """The size for the measurements, and the reason (see :meth:`CatalogService.size_advice`)."""
    picks: list[tuple[int, str, str]] = []
    sizes = [s for s, _ in ordered]
    for name, value in measured.items():
        ranges = [(size, r[name]) for size, r in ordered if name in r]
        if not ranges:
            continue
        smallest_lo, largest_hi = ranges[0][1][0], ranges[-1][1][1]
        if value > largest_hi or value < smallest_lo - BELOW_CHART_SLACK:
            raise InvalidInputError(
                ErrorCode.NO_FITTING_SIZE,
                sku=product.sku,
                name=product.name,
                brand=product.brand,
                direction="above" if value > largest_hi else "below",
                smallest=ranges[0][0],
                largest=ranges[-1][0],
            )
        label = "foot length" if name == "foot" else name
        for size, (lo, hi) in ranges:
            if value <= hi:
                if value >= lo:
                    why = f"a {value:g} in {label} is {product.brand}'s {size} ({lo:g} to {hi:g} in)"
                elif size == ranges[0][0]:
                    why = f"a {value:g} in {label} is just under {product.brand}'s smallest size, {size}"
                else:
                    why = f"a {value:g} in {label} is between sizes, so size up to {size} ({lo:g} to {hi:g} in)"
                picks.append((sizes.index(size), size, why))
                break
    if not picks:
        raise InvalidInputError(
            ErrorCode.MEASUREMENT_REQUIRED,
            sku=product.sku,
            name=product.name,
            garment=str(product.attributes.get("garment", "")),
            fields=tuple(measured),
        )
    picks.sort()
    size = picks[-1][1]
    reasons = [why for _, s, why in picks if s == size] + [why for _, s, why in picks if s != size]
    reason = "; ".join(reasons)
    if len({s for _, s, _ in picks}) > 1:
        reason += f". Go by the larger size, {size}"
    return size, reason[0].upper() + reason[1:] + "."


def _pairing_colours(colours: Sequence[str]) -> set[str]:
    pairing = set(NEUTRAL_COLOURS)
    for colour in colours:
        if colour in NEUTRAL_COLOURS:
            # A neutral item goes with everything, accents included.
            pairing.update(COLOUR_PAIRS)
        pairing.update(COLOUR_PAIRS.get(colour, ()))
    return pairing


def _similarity_key(item: ProductView, other: Product) -> tuple[Any, ...]:
    a, b = item.attributes, other.attributes or {}
    in_stock = other.stock > 0
    if item.category == "books":
        same_series = bool(a.get("series")) and b.get("series") == a.get("series")
        series_gap = abs(int(b.get("series_number") or 0) - int(a.get("series_number") or 0)) if same_series else 99
        return (
            not same_series,
            series_gap,
            b.get("author") != a.get("author"),
            b.get("genre") != a.get("genre"),
            -other.rating_tenths,
            other.sku,
        )
    return (not in_stock, abs(other.price_cents - item.price_cents), other.brand != item.brand, other.sku)


def _related(item: ProductView, other: ProductView) -> bool:
    if item.category != "books":
        return True
    a, b = item.attributes, other.attributes
    return any(a.get(k) and a.get(k) == b.get(k) for k in ("series", "author", "genre"))


def _similarity_reason(item: ProductView, other: ProductView) -> str:
    a, b = item.attributes, other.attributes
    if item.category == "books":
        if a.get("series") and a.get("series") == b.get("series"):
            return f"book {b.get('series_number')} of {b.get('series')}"
        if a.get("author") and a.get("author") == b.get("author"):
            return f"also by {b.get('author')}"
        return f"another {b.get('genre')} title"
    brand = " from the same brand" if other.brand == item.brand else f" by {other.brand}" if other.brand else ""
    return f"also a {other.kind}{brand}"


# --- compatibility ----------------------------------------------------------------------------------------

_DEVICES = ("phone", "tablet", "laptop", "earbuds", "headphones", "power bank")
_HOSTS = ("phone", "tablet", "laptop")


def _specs(product: ProductView) -> dict[str, Any]:
    return dict(product.attributes.get("specs") or {})


def _device_watts(kind: str, specs: dict[str, Any]) -> int:
    if kind == "laptop":
        return int(specs.get("charging_w", 65))
    if kind in ("phone", "tablet"):
        return int(specs.get("max_charging_w", 20))
    if kind == "power bank":
        return int(specs.get("output_w", 20))
    return 5  # earbuds and headphones charge at a few watts


def _compatibility(a: ProductView, b: ProductView) -> tuple[bool, str, str]:
    """``(compatible, reason, caveat)`` for two electronics products, from their specs.

    Rules, by the pair of kinds:

    * wired charger + device: the cable must go from the charger's connector to the device's port (the
      included cable, or one to buy); the device charges at the lower of the two wattages; a laptop needs at
      least 30 W and a USB-C charger;
    * wireless charger + device: the device must support Qi; laptops do not charge wirelessly;
    * cable + device, charger or monitor: one end must match the port; video cables need a video port;
    * headphones or earbuds + phone, tablet or laptop: Bluetooth is backward compatible; the best shared
      codec is named;
    * monitor + laptop or tablet: a shared video input (HDMI, or USB-C with DisplayPort); USB-C power to a
      laptop when the monitor provides it;
    * power bank + device: its USB-C/USB-A output to the device's port, or Qi;
    * anything else: no direct connection.
    """
    pair = {a.kind, b.kind}
    by_kind = {a.kind: a, b.kind: b}
    if a.kind == b.kind:
        return False, f"Both are {a.kind}s; they do not connect to each other.", ""
    if "charger" in pair and pair & set(_DEVICES):
        charger = by_kind["charger"]
        device = b if charger is a else a
        return _charger_and_device(charger, device)
    if "wireless charger" in pair and pair & set(_DEVICES):
        pad = by_kind["wireless charger"]
        device = b if pad is a else a
        if _specs(device).get("qi_wireless"):
            watts = min(int(_specs(pad).get("output_w", 5)), 15)
            what = "charging case" if device.kind == "earbuds" else device.kind
            verb = "support" if device.kind in ("earbuds", "headphones") else "supports"
            return (
                True,
                f"The {device.name} {verb} Qi wireless charging; the pad charges its {what} at up to {watts} W.",
                ("The pad needs its own USB power adapter." if not _specs(pad).get("ports") else ""),
            )
        return False, f"The {device.name} does not support Qi wireless charging, so the pad cannot charge it.", ""
    if "cable" in pair:
        cable = by_kind["cable"]
        other = b if cable is a else a
        return _cable_and(cable, other)
    audio = pair & {"headphones", "earbuds"}
    if audio and pair & set(_HOSTS):
        listener = by_kind[audio.pop()]
        host = b if listener is a else a
        return _bluetooth(listener, host)
    if "monitor" in pair and pair & {"laptop", "tablet", "phone"}:
        monitor = by_kind["monitor"]
        host = b if monitor is a else a
        return _monitor_and(monitor, host)
    return False, f"A {a.kind} and a {b.kind} do not connect to each other directly.", ""


def _charger_and_device(charger: ProductView, device: ProductView) -> tuple[bool, str, str]:
    cs, ds = _specs(charger), _specs(device)
    connector = str(cs.get("connector", "USB-C"))
    port = str(ds.get("charging_port") or ds.get("connector") or "USB-C")
    charger_w, device_w = int(cs.get("output_w", 0)), _device_watts(device.kind, ds)
    if device.kind == "laptop" and (connector != "USB-C" or charger_w < 30):
        return (
            False,
            (
                f"The {device.name} charges over USB-C at {device_w} W; the {charger.name} "
                f"({charger_w} W {connector}) is too weak to charge a laptop."
            ),
            "",
        )
    cable_needed = f"{connector} to {port}"
    included = str(cs.get("cable", "")) if cs.get("cable_included") else ""
    caveat = "" if included == cable_needed else f"It needs a {cable_needed} cable, not included with the charger."
    effective = min(charger_w, device_w)
    if charger_w >= device_w:
        speed = f"at its full {device_w} W"
    elif device.kind == "laptop":
        speed = f"at {charger_w} W instead of its {device_w} W: slower, and it may drain under heavy use"
    else:
        speed = f"at {effective} W instead of its {device_w} W maximum, so more slowly"
    return True, f"The {charger.name} charges the {device.name} ({port} port) {speed}.", caveat


def _cable_and(cable: ProductView, other: ProductView) -> tuple[bool, str, str]:
    cs, os_ = _specs(cable), _specs(other)
    ends = (str(cs.get("connector_a", "")), str(cs.get("connector_b", "")))
    label = f"{ends[0]} to {ends[1]}"
    if other.kind in ("charger", "wireless charger", "power bank"):
        port = str(os_.get("connector", "USB-C"))
        if other.kind == "wireless charger":
            port = "USB-C"
        if port in ends:
            rating = int(cs.get("max_w", 0))
            note = (
                f"The cable is rated {rating} W, below the charger's {os_.get('output_w')} W."
                if rating and rating < int(os_.get("output_w", 0))
                else ""
            )
            return True, f"The {label} cable plugs into the {other.name}'s {port} port.", note
        return False, f"The {other.name} has a {port} port; the cable's ends are {label}.", ""
    if other.kind == "monitor":
        inputs = " ".join(str(i) for i in os_.get("inputs", ()))
        video = [e for e in ends if e in ("HDMI", "DisplayPort", "USB-C") and e in inputs]
        if video and (ends[0] in ("HDMI", "DisplayPort") or ends[1] in ("HDMI", "DisplayPort") or "USB-C" in video):
            return True, f"The {other.name} has a {video[0]} input that the {label} cable fits.", ""
        return (
            False,
            f"The {other.name}'s inputs ({_spoken_value(os_.get('inputs', ()))}) do not take a {label} cable.",
            "",
        )
    port = str(os_.get("charging_port", ""))
    ports = [port, *[str(p) for p in os_.get("ports", ())]]
    if ends[1] in ("HDMI", "DisplayPort"):
        # A video cable: its A end goes into the computer's video output.
        source = next(
            (p for p in ports if p and p.startswith(ends[0]) and (ends[0] != "USB-C" or "DisplayPort" in p)), ""
        )
        if other.kind == "laptop" and source:
            return True, f"The {label} cable carries the picture from the {other.name}'s {source} port to a screen.", ""
        return False, f"The {other.name} has no {ends[0]} video output for a {label} cable.", ""
    # A charging cable: its B end goes into the device, its A end into the charger or computer.
    if port and port == ends[1]:
        rating = int(cs.get("max_w", 0))
        watts = _device_watts(other.kind, os_)
        note = (
            f"It is rated {rating} W, below the {watts} W the {other.kind} can take, so charging is slower."
            if rating and rating < watts
            else ""
        )
        return True, f"The {label} cable fits the {other.name}'s {port} port.", note
    return (
        False,
        f"The {other.name} charges through a {port or 'different'} port; this cable's device end is {ends[1]}.",
        "",
    )


def _bluetooth(listener: ProductView, host: ProductView) -> tuple[bool, str, str]:
    ls, hs = _specs(listener), _specs(host)
    version = min(str(ls.get("bluetooth", "5.0")), str(hs.get("bluetooth", ls.get("bluetooth", "5.0"))))
    codecs = [str(c) for c in ls.get("codecs", ("SBC",))]
    system = str(hs.get("os", ""))
    if system.startswith(("iOS", "iPadOS")):
        best = "AAC" if "AAC" in codecs else "SBC"
    elif system.startswith("Android"):
        best = next((c for c in ("LDAC", "aptX", "AAC") if c in codecs), "SBC")
    else:
        best = "AAC" if "AAC" in codecs else "SBC"
    return (
        True,
        (
            f"The {listener.name} pair with the {host.name} over Bluetooth {version}; "
            f"the best shared audio codec is {best}."
        ),
        "",
    )


def _monitor_and(monitor: ProductView, host: ProductView) -> tuple[bool, str, str]:
    ms, hs = _specs(monitor), _specs(host)
    inputs = [str(i) for i in ms.get("inputs", ())]
    ports = [str(p) for p in hs.get("ports", ())]
    usb_c_in = next((i for i in inputs if i.startswith("USB-C")), "")
    if usb_c_in and "USB-C (DisplayPort)" in ports:
        power = int(ms.get("usb_c_power_w", 0))
        needed = _device_watts(host.kind, hs)
        if power >= needed:
            power_note = f" and charges it at {power} W over the same cable"
        elif power:
            power_note = f", and its {power} W of USB-C power is less than the {needed} W the {host.kind} takes"
        else:
            power_note = ""
        return True, f"One USB-C cable carries the picture from the {host.name} to the {monitor.name}{power_note}.", ""
    if "HDMI" in ports and any(i.startswith("HDMI") for i in inputs):
        return True, f"The {host.name} connects to the {monitor.name} with an HDMI cable.", ""
    if "USB-C (DisplayPort)" in ports and any(i.startswith(("HDMI", "DisplayPort")) for i in inputs):
        return (
            True,
            (
                f"The {host.name} has USB-C with DisplayPort; it connects to the {monitor.name} with a USB-C to HDMI "
                "or DisplayPort cable."
            ),
            "That cable or adapter is sold separately.",
        )
    return False, f"The {host.name} has no video output port that the {monitor.name} accepts.", ""
