"""CatalogService and the seeded catalogue: search said approximately, variants, room fit, specs, compatibility,
sizing, style, similar items and series (on SQLite and PostgreSQL).

The worked examples are the curated products of :mod:`services.catalog_seed` (its module table): the Harbor
sofa (84 x 38 in, 36 in walkway), the Birch dining table (36 in all round), the Voltline chargers, the Orbit
and Aria phones, the Nimbus laptop, Northwind (true to size) and Cobalt Thread (runs small) rain jackets.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from services import InvalidInputError, NotFoundError, ServiceError, Services
from services.catalog import GOES_WITH, MIN_SCORE, match_variant, normalise_size, score_products
from services.catalog_seed import (
    CATALOG_CATEGORIES,
    GENERATED_FROM,
    LAKESIDE,
    RAMAN_BOOKS,
    SELLERS,
    STORE_OWNERS,
)
from services.demo_data import DEMO_CUSTOMERS, MARCUS, PRIYA
from services.errors import ErrorCode

from .conftest import rows

pytestmark = pytest.mark.unit

Query = Callable[..., Awaitable[list[tuple[Any, ...]]]]


def facts(err: ServiceError) -> tuple[ErrorCode, dict[str, Any]]:
    return err.code, dict(err.details)


# --- the seeded catalogue ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_catalogue_holds_hundreds_of_products_in_every_category(services: Services) -> None:
    counts = dict(await rows(services, "select category, count(*) from products group by category"))

    for category in CATALOG_CATEGORIES:
        assert counts[category] >= 100, category
    assert sum(counts[c] for c in CATALOG_CATEGORIES) >= 400
    assert await rows(services, "select count(*) from sellers") == [(len(SELLERS),)]
    assert len(SELLERS) >= 25
    (variants,) = await rows(services, "select count(*) from product_variants")
    assert variants[0] > 2000


@pytest.mark.asyncio
async def test_every_product_has_a_seller_and_variants_whose_stock_it_sums(services: Services) -> None:
    assert await rows(services, "select count(*) from products where seller_id is null") == [(0,)]
    mismatched = await rows(
        services,
        "select p.sku from products p join product_variants v on v.sku = p.sku "
        "group by p.sku, p.stock having sum(v.stock) != p.stock",
    )
    assert mismatched == []
    main_price = await rows(
        services,
        "select p.sku from products p where p.price_cents != "
        "(select v.price_cents from product_variants v where v.sku = p.sku order by v.id limit 1)",
    )
    assert main_price == [], "a product's price is its main (first) variant's"


@pytest.mark.asyncio
async def test_the_demo_products_keep_their_skus_names_and_prices(services: Services) -> None:
    for demo in DEMO_CUSTOMERS:
        for order in demo.orders:
            for item in order.items:
                product = await services.catalog.get_product(item.sku)
                assert (product.name, product.category, product.price_cents) == (
                    item.name,
                    item.category,
                    item.price_cents,
                )
    jacket = await services.catalog.get_product("FSH-2001")
    assert jacket.options("size") == ("XS", "S", "M", "L", "XL")
    assert jacket.options("colour") == ("navy", "red", "black")
    book = await services.catalog.get_product("BOK-1001")
    assert book.title == "The Lighthouse Keeper" and book.author == "Eleanor Vance"
    assert [(v.format, v.price_cents) for v in book.variants] == [
        ("hardcover", 2400),
        ("paperback", 1500),
        ("ebook", 1200),
        ("audiobook", 2199),
    ]


@pytest.mark.asyncio
async def test_the_demo_stores_belong_to_marcus_and_priya_and_run_low_on_some_stock(services: Services) -> None:
    assert STORE_OWNERS == {LAKESIDE: MARCUS.id, RAMAN_BOOKS: PRIYA.id}
    owners = await rows(services, "select id, name, owner_customer_id from sellers where owner_customer_id is not null")
    assert sorted(owners) == [
        ("SEL-1001", "Lakeside Home Goods", "CUS-1002"),
        ("SEL-1002", "Raman Books & Prints", "CUS-1003"),
    ]
    for seller in (LAKESIDE, RAMAN_BOOKS):
        listed = await rows(services, "select count(*) from products where seller_id = :s", s=seller)
        low = await rows(
            services,
            "select count(*) from product_variants v join products p on p.sku = v.sku "
            "where p.seller_id = :s and v.stock between 1 and 3",
            s=seller,
        )
        assert listed[0][0] >= 5 and low[0][0] >= 2, seller


@pytest.mark.asyncio
async def test_generated_skus_start_above_the_curated_ones_and_fit_their_columns(services: Services) -> None:
    skus = [r[0] for r in await rows(services, "select sku from products where category != 'gift_cards'")]
    curated = [s for s in skus if int(s.split("-")[1]) < GENERATED_FROM]
    generated = [s for s in skus if int(s.split("-")[1]) >= GENERATED_FROM]
    assert len(curated) < 40 and len(generated) >= 400
    longest = await rows(
        services,
        "select max(length(size)), max(length(colour)), max(length(format)) from product_variants",
    )
    assert longest[0][0] <= 12 and longest[0][1] <= 24 and longest[0][2] <= 16


# --- search --------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("category", "said", "first"),
    [
        pytest.param("books", "lite house keeper", "BOK-1001", id="misheard-title"),
        pytest.param("books", "the lighthouse keeper by eleanor vance", "BOK-1001", id="title-by-author"),
        pytest.param("books", "eleanor vance saltmarsh", "BOK-1001", id="author-and-series"),
        pytest.param("electronics", "noise canceling hedphones", "ELC-3001", id="misspelt"),
        pytest.param("electronics", "27 inch 4k monitor", "ELC-3002", id="numbers"),
        pytest.param("home", "harbor couch", "HOM-4003", id="synonym"),
        pytest.param("home", "brass desk lamp", "HOM-4001", id="exact"),
        pytest.param("fashion", "alpine raincoat", "FSH-2001", id="raincoat"),
        pytest.param(None, "Alpine rain jacket", "FSH-2001", id="every-category"),
    ],
)
async def test_search_finds_what_the_caller_said_approximately(
    services: Services, category: str | None, said: str, first: str
) -> None:
    hits = await services.catalog.search_hits(said, category=category)

    assert hits and hits[0].product.sku == first, [(h.product.sku, h.score) for h in hits]
    assert hits[0].score >= MIN_SCORE


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("said", "names"),
    [
        ("Voltline twenty watt charger", ["Voltline 20 W USB-C charger"]),
        ("the sixty five watt GaN charger", ["Voltline 65 W GaN charger", "ChargeCraft 65 W USB-C GaN charger"]),
        ("a 20 watt charger", ["Voltline 20 W USB-C charger"]),
    ],
)
async def test_figures_said_in_words_match_the_catalogue(services: Services, said: str, names: list[str]) -> None:
    hits = await services.catalog.search_hits(said, category="electronics", limit=5)

    assert [h.product.name for h in hits][: len(names)] == names, [(h.product.name, h.score) for h in hits]
    assert hits[0].score == 100.0


@pytest.mark.asyncio
async def test_bluetooth_audio_is_found_as_wireless(services: Services) -> None:
    hits = await services.catalog.search_hits("wireless earbuds", category="electronics", max_price_cents=10000)

    assert hits and {h.product.kind for h in hits} == {"earbuds"}
    assert all(h.product.price_cents <= 10000 and h.score == 100.0 for h in hits)
    chargers = await services.catalog.search_hits("wireless charger", category="electronics", limit=5)
    assert chargers and all("charg" in h.product.kind for h in chargers), "a charger query still finds chargers"


@pytest.mark.asyncio
async def test_search_prefers_the_product_whose_whole_name_was_said(services: Services) -> None:
    hits = await services.catalog.search_hits("rain jacket", category="fashion", limit=5)

    assert hits[0].product.sku == "FSH-2001", "three of its three name words said: the tightest match"
    assert {h.product.kind for h in hits} == {"rain jacket"}
    assert hits[0].precision > hits[1].precision


@pytest.mark.asyncio
async def test_search_filters_by_price_kind_brand_and_stock(services: Services) -> None:
    cheap = await services.catalog.search("home", "sofa", limit=10, max_price_cents=90000)
    assert [p.sku for p in cheap] == ["HOM-4003", "HOM-6045"] and all(p.price_cents <= 90000 for p in cheap)
    chargers = await services.catalog.search("electronics", "usb-c", kind="chargers", brand="voltline", limit=10)
    assert chargers and all(p.kind == "charger" and p.brand == "Voltline" for p in chargers)
    in_stock = await services.catalog.search("fashion", "jacket", limit=10, in_stock_only=True)
    assert in_stock and all(p.in_stock for p in in_stock)


@pytest.mark.asyncio
async def test_a_mystery_novel_search_returns_mysteries(services: Services) -> None:
    hits = await services.catalog.search("books", "I'm looking for a mystery novel", limit=5)

    assert len(hits) == 5
    assert all(h.attributes["genre"] == "mystery" and h.kind == "novel" for h in hits)


@pytest.mark.asyncio
async def test_search_ignores_other_categories_and_nonsense(services: Services) -> None:
    assert await services.catalog.search("books", "Alpine rain jacket") == []
    assert await services.catalog.search("home", "quantum flux capacitor") == []
    assert await services.catalog.search("books", "the a of") == [], "filler words only"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("query_text", "code"),
    [
        pytest.param("", ErrorCode.FIELD_MISSING, id="empty"),
        pytest.param("x" * 101, ErrorCode.FIELD_TOO_LONG, id="101-chars"),
        pytest.param("sofa\x00", ErrorCode.TEXT_NOT_ENCODABLE, id="nul"),
        pytest.param(42, ErrorCode.NOT_TEXT, id="number"),
    ],
)
async def test_search_refuses_a_query_that_is_not_a_few_plain_words(
    services: Services, query_text: Any, code: ErrorCode
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await services.catalog.search_hits(query_text)
    assert (refused.value.code, refused.value.details["field"]) == (code, "search query")


@pytest.mark.asyncio
async def test_a_product_is_found_by_sku_only_if_it_exists(services: Services) -> None:
    lamp = await services.catalog.get_product("hom-4001")
    assert (lamp.sku, lamp.seller_name, lamp.kind) == ("HOM-4001", "Hearthside Living", "table lamp")

    with pytest.raises(NotFoundError) as missing:
        await services.catalog.get_product("HOM-9999")
    assert facts(missing.value) == (ErrorCode.PRODUCT_NOT_FOUND, {"sku": "HOM-9999"})
    with pytest.raises(InvalidInputError):
        await services.catalog.get_product("'; drop table products;-- " * 3)
    assert [p.sku for p in await services.catalog.get_products(["ELC-3002", "NOPE-1", "BOK-1001", "ELC-3002"])] == [
        "ELC-3002",
        "BOK-1001",
    ]


# --- variants ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "size"),
    [
        ("medium", "M"),
        ("size M", "M"),
        ("extra large", "XL"),
        ("XXL", "XXL"),
        ("nine and a half", "9.5"),
        ("size 10", "10"),
        ("thirty two", "32"),
        ("256gb", "256 GB"),
        ("petite", "petite"),
    ],
)
def test_sizes_are_normalised_from_speech(said: str, size: str) -> None:
    assert normalise_size(said) == size


@pytest.mark.asyncio
async def test_variants_are_matched_by_size_colour_family_and_format(services: Services) -> None:
    jacket = await services.catalog.get_product("FSH-2001")
    navy_m = match_variant(jacket, size="medium", colour="navy blue")
    assert (navy_m.size, navy_m.colour, navy_m.stock) == ("M", "navy", 6)
    assert match_variant(jacket, size="m", colour="blue") == navy_m, "blue covers navy (the only blue)"
    red_m = await services.catalog.variant("FSH-2001", size="M", colour="red")
    assert (red_m.colour, red_m.stock, red_m.in_stock) == ("red", 0, False)

    book = await services.catalog.get_product("BOK-1001")
    assert match_variant(book, format="hard cover").format == "hardcover"
    assert match_variant(book, format="audio").price_cents == 2199
    phone = await services.catalog.get_product("ELC-3003")
    assert match_variant(phone, size="256", colour="black").price_cents == 66900


@pytest.mark.asyncio
async def test_a_variant_that_is_not_made_or_not_said_is_a_typed_error(services: Services) -> None:
    jacket = await services.catalog.get_product("FSH-2001")
    with pytest.raises(NotFoundError) as absent:
        match_variant(jacket, size="XXL")
    assert facts(absent.value) == (
        ErrorCode.VARIANT_NOT_FOUND,
        {
            "sku": "FSH-2001",
            "name": "Alpine rain jacket",
            "dimension": "size",
            "requested": "XXL",
            "options": ("XS", "S", "M", "L", "XL"),
        },
    )
    with pytest.raises(InvalidInputError) as choose:
        match_variant(jacket, size="M")
    assert facts(choose.value)[1]["options"] == ("navy", "red", "black")
    book = await services.catalog.get_product("BOK-1004")
    with pytest.raises(NotFoundError) as no_audio:
        match_variant(book, format="audiobook")
    assert facts(no_audio.value)[1]["options"] == ("hardcover", "paperback", "ebook")


# --- home: dimensions and room fit ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_dimensions_carry_clearance_assembly_capacity_and_room_advice(services: Services) -> None:
    sofa = await services.catalog.dimensions("HOM-4003", room="lounge")

    assert (sofa.width_in, sofa.depth_in, sofa.height_in, sofa.weight_capacity_lb) == (84, 38, 34, 750)
    assert (sofa.clearance_front_in, sofa.clearance_back_in, sofa.clearance_sides_in) == (36, 0, 0)
    assert (sofa.needs_length_in, sofa.needs_width_in) == (84, 74)
    assert sofa.assembly_required and sofa.assembly_minutes == 40 and sofa.through_doorway is None
    assert (sofa.room, sofa.room_suited) == ("living room", True)
    recliner = await services.catalog.dimensions("HOM-4004", room="kitchen")
    assert recliner.clearance_back_in == 12 and recliner.room_suited is False
    table = await services.catalog.dimensions("HOM-4005")
    assert (table.needs_length_in, table.needs_width_in) == (144, 112)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("sku", "length", "width", "fits", "spare"),
    [
        pytest.param("HOM-4003", 12, 10, True, 46, id="sofa-roomy"),
        pytest.param("HOM-4003", 8, 6, False, -2, id="sofa-den-2-in-short"),
        pytest.param("HOM-4003", 6, 8, False, -2, id="sides-either-way"),
        pytest.param("HOM-4005", 12, 9.5, True, 0, id="table-exactly"),
        pytest.param("HOM-4005", 11, 9, False, -12, id="table-a-foot-short"),
    ],
)
async def test_room_fit_counts_the_clearance_around_the_piece(
    services: Services, sku: str, length: float, width: float, fits: bool, spare: int
) -> None:
    fit = await services.catalog.check_room_fit(sku, length, width)

    assert (fit.fits, fit.spare_in) == (fits, spare)
    assert ("It fits" if fits else "It does not fit") in fit.reason


@pytest.mark.asyncio
async def test_room_fit_says_when_the_room_will_feel_full(services: Services) -> None:
    fit = await services.catalog.check_room_fit("HOM-4003", 9, 7)
    assert fit.fits and fit.floor_share_pct == 69 and "feel full" in fit.reason


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("sku", "length", "width", "code"),
    [
        pytest.param("HOM-4002", 10, 10, ErrorCode.NOT_APPLICABLE, id="skillet"),
        pytest.param("ELC-3001", 10, 10, ErrorCode.NOT_APPLICABLE, id="headphones"),
        pytest.param("HOM-4003", 0.5, 10, ErrorCode.MEASUREMENT_OUT_OF_RANGE, id="tiny"),
        pytest.param("HOM-4003", 10, 400, ErrorCode.MEASUREMENT_OUT_OF_RANGE, id="huge"),
        pytest.param("HOM-4003", math.nan, 10, ErrorCode.MEASUREMENT_OUT_OF_RANGE, id="nan"),
        pytest.param("HOM-4003", math.inf, 10, ErrorCode.MEASUREMENT_OUT_OF_RANGE, id="inf"),
    ],
)
async def test_room_fit_refuses_what_it_cannot_judge(
    services: Services, sku: str, length: float, width: float, code: ErrorCode
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await services.catalog.check_room_fit(sku, length, width)
    assert refused.value.code is code


# --- electronics: comparison and compatibility -----------------------------------------------------------


@pytest.mark.asyncio
async def test_compare_puts_the_differences_first(services: Services) -> None:
    comparison = await services.catalog.compare(["ELC-3005", "ELC-3006"])

    differences = {r.label: r.values for r in comparison.differences}
    assert differences["price"] == ("$19.99", "$49.99")
    assert differences["output (W)"] == ("20", "65")
    assert differences["cable included"] == ("no", "yes")
    assert {r.label for r in comparison.same} >= {"connector", "availability"}
    assert comparison.rows[: len(comparison.differences)] == comparison.differences


@pytest.mark.asyncio
async def test_compare_books_and_fashion_use_their_own_facts(services: Services) -> None:
    books = await services.catalog.compare(["BOK-1001", "BOK-1002"])
    assert {r.label: r.values for r in books.rows}["series"] == (
        "Saltmarsh Mysteries, book 1",
        "Saltmarsh Mysteries, book 2",
    )
    jackets = await services.catalog.compare(["FSH-2001", "FSH-2002"])
    assert {r.label: r.values for r in jackets.rows}["brand fit"] == (
        "fits true to size",
        "runs small; between sizes, size up",
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("skus", "reason"),
    [
        pytest.param(["ELC-3001"], "count", id="one"),
        pytest.param(["ELC-3001", "elc-3001"], "count", id="the-same-twice"),
        pytest.param(["ELC-3001", "ELC-3002", "ELC-3003", "ELC-3004"], "count", id="four"),
        pytest.param(["ELC-3001", "FSH-2001"], "categories", id="mixed"),
    ],
)
async def test_compare_needs_two_or_three_products_of_one_category(
    services: Services, skus: list[str], reason: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await services.catalog.compare(skus)
    assert (refused.value.code, refused.value.details["reason"]) == (ErrorCode.NOT_COMPARABLE, reason)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("first", "second", "compatible", "in_reason", "caveat"),
    [
        pytest.param("ELC-3005", "ELC-3003", True, "at 20 W instead of its 45 W", "USB-C to USB-C cable", id="slow"),
        pytest.param(
            "ELC-3005", "ELC-3004", True, "Lightning port) at its full 20 W", "USB-C to Lightning", id="cable"
        ),
        pytest.param("ELC-3006", "ELC-3008", True, "at its full 65 W", "", id="laptop-charger"),
        pytest.param("ELC-3008", "ELC-3005", False, "too weak to charge a laptop", "", id="weak-charger"),
        pytest.param("ELC-3008", "ELC-3002", True, "One USB-C cable", "", id="monitor-usb-c"),
        pytest.param("ELC-3001", "ELC-3004", True, "best shared audio codec is AAC", "", id="bluetooth-ios"),
        pytest.param("ELC-3001", "ELC-3003", True, "best shared audio codec is LDAC", "", id="bluetooth-android"),
        pytest.param("ELC-3007", "ELC-3003", True, "Qi wireless", "power adapter", id="qi"),
        pytest.param("ELC-3007", "ELC-3001", False, "does not support Qi", "", id="no-qi"),
        pytest.param("ELC-3010", "ELC-3004", True, "Lightning port", "", id="cable-fits"),
        pytest.param("ELC-3010", "ELC-3003", False, "device end is Lightning", "", id="cable-wrong-end"),
        pytest.param("ELC-3002", "ELC-3001", False, "do not connect", "", id="unrelated"),
    ],
)
async def test_compatibility_is_decided_from_ports_wattage_and_standards(
    services: Services, first: str, second: str, compatible: bool, in_reason: str, caveat: str
) -> None:
    verdict = await services.catalog.compatibility(first, second)

    assert verdict.compatible is compatible, verdict.reason
    assert in_reason in verdict.reason
    assert caveat in verdict.caveat and (caveat or verdict.caveat == "" or first == "ELC-3007")


@pytest.mark.asyncio
async def test_compatibility_is_for_two_different_electronics_products(services: Services) -> None:
    with pytest.raises(InvalidInputError) as sofa:
        await services.catalog.compatibility("ELC-3005", "HOM-4003")
    assert facts(sofa.value)[1]["feature"] == "compatibility"
    with pytest.raises(InvalidInputError) as itself:
        await services.catalog.compatibility("ELC-3005", "ELC-3005")
    assert itself.value.code is ErrorCode.NOT_COMPARABLE


# --- fashion: sizing, style, similar ------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("sku", "measures", "size", "in_reason"),
    [
        pytest.param("FSH-2001", {"chest_in": 39}, "M", "Northwind's M (38 to 40 in)", id="true-to-size"),
        pytest.param("FSH-2002", {"chest_in": 39}, "L", "Cobalt Thread runs small", id="runs-small"),
        pytest.param("FSH-2001", {"chest_in": 37.5}, "M", "between sizes, so size up", id="between"),
        pytest.param("FSH-2003", {"waist_in": 31, "hip_in": 40}, "31", "Meridian's 31", id="jeans"),
        pytest.param("FSH-2003", {"waist_in": 30, "hip_in": 40}, "31", "Go by the larger size, 31", id="hip-decides"),
        pytest.param("FSH-2004", {"foot_in": 10.5}, "9.5", "Fernwood's 9.5", id="shoes"),
    ],
)
async def test_the_size_comes_from_the_brands_own_chart(
    services: Services, sku: str, measures: dict[str, float], size: str, in_reason: str
) -> None:
    advice = await services.catalog.size_advice(sku, **measures)

    assert advice.size == size and advice.offered
    assert in_reason in advice.reason


@pytest.mark.asyncio
async def test_the_size_advice_says_which_colours_are_in_stock_in_that_size(services: Services) -> None:
    advice = await services.catalog.size_advice("FSH-2001", chest_in=39)
    assert advice.colours_in_stock == ("navy", "black"), "size M in red is sold out"
    chart = await services.catalog.size_advice("FSH-2002")
    assert chart.size is None and [r.size for r in chart.chart][:3] == ["XS", "S", "M"]
    assert chart.chart[2].ranges == (("chest", 36, 38),)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("sku", "measures", "code"),
    [
        pytest.param("FSH-2001", {"chest_in": 102}, ErrorCode.MEASUREMENT_OUT_OF_RANGE, id="centimetres"),
        pytest.param("FSH-2001", {"chest_in": -3}, ErrorCode.MEASUREMENT_OUT_OF_RANGE, id="negative"),
        pytest.param("FSH-2001", {"chest_in": math.nan}, ErrorCode.MEASUREMENT_OUT_OF_RANGE, id="nan"),
        pytest.param("FSH-2001", {"foot_in": 10}, ErrorCode.MEASUREMENT_REQUIRED, id="foot-for-a-jacket"),
        pytest.param("FSH-2001", {"chest_in": 60}, ErrorCode.NO_FITTING_SIZE, id="above-the-chart"),
        pytest.param("HOM-4003", {"chest_in": 40}, ErrorCode.NOT_APPLICABLE, id="a-sofa"),
    ],
)
async def test_size_advice_refuses_what_it_cannot_size(
    services: Services, sku: str, measures: dict[str, float], code: ErrorCode
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await services.catalog.size_advice(sku, **measures)
    assert refused.value.code is code


@pytest.mark.asyncio
async def test_style_advice_suggests_in_stock_pieces_of_complementary_kinds(services: Services) -> None:
    advice = await services.catalog.style_advice("FSH-2001")

    assert 1 <= len(advice.suggestions) <= 3
    kinds = [s.product.kind for s in advice.suggestions]
    assert len(set(kinds)) == len(kinds) and set(kinds) <= set(GOES_WITH["rain jacket"])
    assert all(s.product.in_stock and "goes with the rain jacket" in s.reason for s in advice.suggestions)
    assert "camel" in advice.colours and "navy" not in [s.product.sku for s in advice.suggestions]


@pytest.mark.asyncio
async def test_similar_items_are_the_same_kind_and_similar_books_the_same_series_first(services: Services) -> None:
    jackets = await services.catalog.similar("FSH-2002", limit=3)
    assert len(jackets) == 3 and all(s.product.kind == "rain jacket" for s in jackets)
    assert "FSH-2002" not in [s.product.sku for s in jackets]

    books = await services.catalog.similar("BOK-1001", limit=3)
    assert [(s.product.sku, s.reason) for s in books[:2]] == [
        ("BOK-1002", "book 2 of Saltmarsh Mysteries"),
        ("BOK-1003", "book 3 of Saltmarsh Mysteries"),
    ]
    series = await services.catalog.series("BOK-1003")
    assert [b.title for b in series] == ["The Lighthouse Keeper", "The Tide Clock", "Drowned Bells"]
    with pytest.raises(InvalidInputError) as standalone:
        await services.catalog.series("BOK-1004")
    assert facts(standalone.value)[1]["feature"] == "series"


@pytest.mark.asyncio
async def test_products_in_hand_are_scored_by_colour_family_and_brand(services: Services) -> None:
    shown = await services.catalog.get_products(["FSH-2002", "FSH-2001", "ELC-3006"])

    blue_first = score_products("the yellow one", shown)
    assert blue_first[0].product.sku == "FSH-2002" and blue_first[0].score == 100
    assert score_products("the voltline", shown)[0].product.sku == "ELC-3006"
    assert score_products("", shown) == []
