"""The seeded catalogue: sellers, products and their variants (deterministic, no network, no Faker).

Everything here is drawn from curated word lists with a fixed ``random.Random(CATALOG_SEED)``, so a fresh
database always holds the same catalogue and the shared Faker of :mod:`services.seed` is never touched
(the filler customers seeded afterwards do not change when the catalogue does).

SKUs never collide: the demo products keep their numbers (``FSH-2001``, ``ELC-3001``, ``ELC-3002``,
``BOK-1001``, ``HOM-4001``, ``HOM-4002``, ``GFT-5001``), the curated showcase products follow them
(``FSH-2002``..., ``ELC-3003``..., ``BOK-1002``..., ``HOM-4003``...), and generated products are numbered
from :data:`GENERATED_FROM` (``HOM-6001``...) in every category.

Demo sellers and worked examples (tests import these constants):

===========  =================================  ======================================================
id           store / product                    worked example
===========  =================================  ======================================================
SEL-1001     Lakeside Home Goods (CUS-1002)     Marcus Lee's store: the sofa, recliner, bookcase (2 left),
                                                skillet (HOM-4002) and a floor lamp with 1 left
SEL-1002     Raman Books & Prints (CUS-1003)    Priya Raman's store: the Saltmarsh mysteries (BOK-1001..1003),
                                                a poetry collection with 2 hardcovers left
HOM-4003     Harbor 3-seat sofa                 84 x 38 in + 36 in walkway: fits a 12 x 10 ft room, not an 8 x 6 ft den
HOM-4004     Linden power recliner              needs 12 in behind it for the recline
HOM-4005     Birch extending dining table       72 x 40 in + 36 in all round: needs 12 x 9.4 ft
ELC-3003     Orbit X2 phone                     USB-C, 45 W, Qi: the 20 W charger works but slower
ELC-3004     Aria 13 phone                      Lightning: a USB-C-only charger needs a USB-C to Lightning cable
ELC-3005     Voltline 20 W USB-C charger        no cable in the box
ELC-3006     Voltline 65 W GaN charger          charges the Nimbus 14 laptop (65 W) at full speed
ELC-3008     Nimbus 14 laptop                   USB-C (DisplayPort) and HDMI: works with the 4K monitor ELC-3002
FSH-2001     Alpine rain jacket (Northwind)     true to size; size M in red is out of stock
FSH-2002     Harbor packable rain jacket        Cobalt Thread runs small: a 39 in chest is an L there, an M at Northwind
FSH-2003     Meridian slim jeans                numeric waist sizes 28-38
BOK-1001     The Lighthouse Keeper              Saltmarsh Mysteries #1 by Eleanor Vance; four formats
===========  =================================  ======================================================

``Product.name`` of ``BOK-1001`` stays "The Lighthouse Keeper, hardcover" (the name on Ava's order and its
return); the book's title is ``attributes["title"]``, which the books desk speaks.

Attribute keys per category (``Product.attributes``, JSON):

* home: ``width_in``, ``depth_in``, ``height_in``, ``weight_lb``, ``weight_capacity_lb`` (0: not applicable),
  ``assembly_required``, ``assembly_minutes``, ``materials`` (list), ``rooms`` (list), ``clearance_in``
  (``{"front": .., "back": .., "sides": ..}`` inches of free floor the piece needs around it),
  ``clearance_note``; kitchenware and decor carry dimensions without clearance.
* electronics: ``specs`` (dict, see :data:`ELECTRONICS_SPEC_KEYS`) plus ``kind``-specific keys inside it.
* fashion: ``garment`` (``tops``, ``bottoms``, ``dresses``, ``shoes``, ``one_size``), ``material``, ``fit``,
  ``colours`` (list); the brand's size chart is :data:`SIZE_CHARTS`.
* books: ``title``, ``author``, ``series``, ``series_number``, ``genre``, ``pages``, ``year``, ``publisher``,
  ``narrator``, ``audio_hours``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from faker import Faker
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from .ids import BOOK_SKU, ELECTRONICS_SKU, FASHION_SKU, GIFT_CARD_SKU, HOME_SKU, SELLER_ID
from .models import Product, ProductVariant, Seller

CATALOG_SEED = 6406
"""Seed of the catalogue's own ``random.Random`` (independent of the shared Faker seed)."""
GENERATED_FROM = 6001
"""First number of the generated SKUs in every category (``HOM-6001``); curated ones sit below it."""
GENERATED_PER_CATEGORY = {"home": 110, "electronics": 110, "fashion": 110, "books": 120}
"""How many products are generated per category, on top of the demo and showcase products."""
MAX_NAME_COLLISIONS = 2000
"""Generated names drawn again because taken, before giving up (the word lists are too small)."""
DIGITAL_STOCK = 9999
"""Stock of ebooks and audiobooks (never runs out)."""

LAKESIDE = "SEL-1001"
"""Lakeside Home Goods, Marcus Lee's store (CUS-1002)."""
RAMAN_BOOKS = "SEL-1002"
"""Raman Books & Prints, Priya Raman's store (CUS-1003)."""

CATALOG_CATEGORIES: dict[str, tuple[str, ...]] = {
    "books": (
        "novel",
        "biography",
        "cookbook",
        "travel guide",
        "poetry collection",
        "nonfiction",
        "picture book",
    ),
    "electronics": (
        "phone",
        "charger",
        "wireless charger",
        "headphones",
        "earbuds",
        "laptop",
        "tablet",
        "monitor",
        "cable",
        "power bank",
    ),
    "fashion": (
        "rain jacket",
        "denim jacket",
        "puffer jacket",
        "fleece",
        "sweater",
        "hoodie",
        "t-shirt",
        "flannel shirt",
        "jeans",
        "chinos",
        "joggers",
        "dress",
        "sneakers",
        "boots",
        "loafers",
        "scarf",
        "beanie",
    ),
    "home": (
        "sofa",
        "loveseat",
        "armchair",
        "recliner",
        "dining table",
        "coffee table",
        "side table",
        "bookcase",
        "bed frame",
        "nightstand",
        "dresser",
        "desk",
        "office chair",
        "tv stand",
        "rug",
        "floor lamp",
        "table lamp",
        "skillet",
        "dutch oven",
        "knife set",
        "throw blanket",
        "mirror",
    ),
}
"""The four catalogue categories (one desk each) and the kinds of product each holds."""


# --- sellers --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SellerSpec:
    """One seeded store: ``(number, name, rating tenths, ratings, return days, ships from, handling days,
    response hours, owner, joined days ago, categories it sells, policy note)``."""

    number: int
    name: str
    rating_tenths: int
    rating_count: int
    return_window_days: int
    ships_from: str
    handling_days: int
    response_hours: int
    owner: str | None
    joined_days_ago: int
    categories: tuple[str, ...]
    policy_note: str


SELLERS: tuple[SellerSpec, ...] = (
    SellerSpec(1001, "Lakeside Home Goods", 46, 312, 30, "Chicago, IL", 2, 12, "CUS-1002", 900, ("home",),
               "Furniture ships by freight with a two-hour delivery window; unused items in original packaging."),
    SellerSpec(1002, "Raman Books & Prints", 48, 204, 30, "Seattle, WA", 1, 8, "CUS-1003", 640, ("books",),
               "Signed copies are final sale; other books in resalable condition."),
    SellerSpec(1003, "Hearthside Living", 45, 1210, 30, "Columbus, OH", 2, 24, None, 2100, ("home",),
               "Free returns on lighting and decor within 30 days."),
    SellerSpec(1004, "Oak & Iron Furnishings", 44, 860, 45, "Grand Rapids, MI", 4, 24, None, 2600, ("home",),
               "Made-to-order finishes ship in 3 to 4 weeks and cannot be cancelled after production starts."),
    SellerSpec(1005, "Maple Row Interiors", 42, 395, 30, "Charlotte, NC", 3, 36, None, 1300, ("home",),
               "Rugs are returnable unused and rolled, not folded."),
    SellerSpec(1006, "Copperline Kitchen", 47, 2230, 60, "Portland, OR", 1, 12, None, 3000, ("home",),
               "Cookware carries a lifetime warranty against manufacturing defects."),
    SellerSpec(1007, "Voltline Electronics", 45, 4120, 15, "Austin, TX", 1, 12, None, 2800, ("electronics",),
               "Chargers and cables carry a two-year warranty."),
    SellerSpec(1008, "Circuit Harbor", 41, 988, 15, "San Jose, CA", 2, 24, None, 1500, ("electronics",),
               "Opened devices are inspected before a refund is issued."),
    SellerSpec(1009, "Pixel Depot", 44, 3015, 30, "Reno, NV", 1, 18, None, 2400, ("electronics",),
               "Monitors with three or fewer dead pixels are within the panel specification."),
    SellerSpec(1010, "Northbeam Audio", 46, 1780, 30, "Denver, CO", 1, 12, None, 2000, ("electronics",),
               "Earbuds are returnable only with all ear tips and the charging case."),
    SellerSpec(1011, "Gridpoint Computers", 43, 672, 15, "Raleigh, NC", 2, 24, None, 1100, ("electronics",),
               "Laptops must be returned with the charger and without a changed password lock."),
    SellerSpec(1012, "ChargeCraft", 39, 410, 15, "Newark, NJ", 3, 48, None, 700, ("electronics",),
               "Bulk cable packs are final sale once opened."),
    SellerSpec(1013, "Northwind Outfitters", 47, 5230, 30, "Boulder, CO", 1, 12, None, 3100, ("fashion",),
               "Outerwear is guaranteed waterproof for two years."),
    SellerSpec(1014, "Cobalt Thread", 43, 1490, 30, "Los Angeles, CA", 2, 24, None, 1800, ("fashion",),
               "Our cuts run small: check the size chart before ordering."),
    SellerSpec(1015, "Trailhead Apparel", 45, 2260, 30, "Salt Lake City, UT", 1, 24, None, 2500, ("fashion",),
               "Relaxed fits; free exchanges for a different size."),
    SellerSpec(1016, "Urban Loom", 44, 960, 30, "Brooklyn, NY", 2, 24, None, 1200, ("fashion",),
               "Knitwear is hand-finished; small variations in colour are normal."),
    SellerSpec(1017, "Meridian Denim", 46, 1340, 30, "Nashville, TN", 1, 18, None, 1900, ("fashion",),
               "Hemming is free on full-price jeans."),
    SellerSpec(1018, "Fernwood Footwear", 45, 1875, 45, "Boston, MA", 2, 24, None, 2300, ("fashion",),
               "Shoes are returnable unworn outdoors, in the original box."),
    SellerSpec(1019, "Sable & Rye", 42, 530, 30, "Atlanta, GA", 3, 36, None, 800, ("fashion",),
               "Dresses on final clearance cannot be returned."),
    SellerSpec(1020, "Chapter & Verse", 47, 2870, 30, "Minneapolis, MN", 1, 12, None, 2900, ("books",),
               "Preorders ship on the publication day."),
    SellerSpec(1021, "Brightleaf Books", 45, 1190, 30, "Durham, NC", 2, 24, None, 1600, ("books",),
               "Used books are graded Like New, Very Good or Good in the listing."),
    SellerSpec(1022, "Old Harbor Booksellers", 44, 720, 30, "Providence, RI", 2, 24, None, 1000, ("books",),
               "Rare editions ship insured and signature-required."),
    SellerSpec(1023, "Inkwell Audio & Ebooks", 46, 3380, 14, "Online only", 0, 12, None, 1400, ("books",),
               "Ebooks and audiobooks can be returned within 14 days if less than a tenth was read or played."),
    SellerSpec(1024, "Fairway Home & Tech", 38, 260, 15, "Phoenix, AZ", 4, 48, None, 400, ("home", "electronics"),
               "Clearance items ship as-is."),
    SellerSpec(1025, "Marketplace Direct", 49, 9800, 30, "Reno, NV", 1, 6, None, 3650,
               ("books", "electronics", "fashion", "home", "gift_cards"),
               "Sold and shipped by the marketplace."),
)  # fmt: skip
"""The seeded stores; ``owner`` links the two demo stores to Marcus and Priya."""

MARKETPLACE_DIRECT = SELLER_ID.format(1025)


def _seller_rows(now: dt.datetime) -> list[Seller]:
    rows = []
    for spec in SELLERS:
        slug = "".join(c for c in spec.name.lower().replace("&", "and") if c.isalnum() or c == " ").replace(" ", "")
        rows.append(
            Seller(
                id=SELLER_ID.format(spec.number),
                name=spec.name,
                rating_tenths=spec.rating_tenths,
                rating_count=spec.rating_count,
                return_window_days=spec.return_window_days,
                ships_from=spec.ships_from,
                handling_days=spec.handling_days,
                response_hours=spec.response_hours,
                contact_email=f"support@{slug}.example.com",
                policy_note=spec.policy_note,
                owner_customer_id=None,  # set by assign_store_owners once the customers exist
                joined_on=(now - dt.timedelta(days=spec.joined_days_ago)).date(),
            )
        )
    return rows


def _sellers_for(category: str) -> list[str]:
    return [SELLER_ID.format(s.number) for s in SELLERS if category in s.categories and s.owner is None]


# --- home -----------------------------------------------------------------------------------------------

HOME_CLEARANCE_IN: dict[str, tuple[int, int, int, str]] = {
    # kind: (front, back, each side) inches of free floor, and where the figure comes from.
    "sofa": (36, 0, 0, "a 36 in walkway in front of the seat"),
    "loveseat": (36, 0, 0, "a 36 in walkway in front of the seat"),
    "armchair": (30, 0, 0, "30 in of legroom and passage in front"),
    "recliner": (24, 12, 0, "12 in behind it to recline, 24 in in front for the footrest"),
    "dining table": (36, 36, 36, "36 in on every side to pull chairs out and walk behind them"),
    "coffee table": (18, 18, 0, "18 in from the sofa on one side and the walkway on the other"),
    "side table": (0, 0, 0, "none beyond its footprint"),
    "bookcase": (36, 0, 0, "a 36 in walkway in front to reach the shelves"),
    "bed frame": (24, 0, 24, "24 in on each side and at the foot to make the bed and walk round it"),
    "nightstand": (18, 0, 0, "18 in in front to open the drawer"),
    "dresser": (36, 0, 0, "36 in in front to open the drawers and stand at them"),
    "desk": (36, 0, 0, "36 in behind the desk edge for the chair"),
    "office chair": (12, 0, 0, "12 in to roll back from the desk"),
    "tv stand": (36, 0, 0, "a 36 in walkway in front"),
    "rug": (12, 12, 12, "12 in of bare floor around the rug's edges"),
    "floor lamp": (0, 0, 0, "none beyond its base"),
    "mirror": (24, 0, 0, "24 in in front to stand and look"),
}
"""Free floor each piece needs around it, in inches: rules of thumb of interior-design guidance (a 36 in
walkway, 36 in around a dining table for chairs, 24 in beside a bed, 12 in behind a recliner). Used by
:meth:`services.catalog.CatalogService.check_room_fit`."""

# kind: (width range, depth range, height range, weight range lb, capacity lb, assembly minutes range,
#        materials choices, rooms, base price range in dollars)
_HOME_KINDS: dict[str, tuple[Any, ...]] = {
    "sofa": ((72, 96), (34, 40), (30, 36), (90, 180), 750, (30, 60),
             ["oak frame, polyester", "kiln-dried pine frame, linen blend", "hardwood frame, performance velvet",
              "eucalyptus frame, leather"], ["living room", "family room"], (499, 1899)),
    "loveseat": ((54, 66), (33, 38), (30, 35), (70, 120), 500, (20, 45),
                 ["pine frame, linen blend", "hardwood frame, velvet", "oak frame, boucle"],
                 ["living room", "family room", "home office"], (399, 1199)),
    "armchair": ((28, 36), (30, 36), (30, 40), (35, 70), 300, (0, 20),
                 ["beech frame, wool blend", "rubberwood frame, velvet", "walnut frame, leather"],
                 ["living room", "bedroom", "reading nook"], (199, 899)),
    "recliner": ((32, 38), (36, 40), (39, 42), (80, 120), 300, (15, 30),
                 ["steel mechanism, leather", "steel mechanism, microfiber", "steel mechanism, performance fabric"],
                 ["living room", "family room"], (449, 1299)),
    "dining table": ((60, 84), (36, 42), (29, 30), (70, 150), 300, (30, 60),
                     ["solid oak", "acacia", "walnut veneer", "birch", "reclaimed pine"],
                     ["dining room", "kitchen"], (399, 1799)),
    "coffee table": ((40, 54), (20, 28), (16, 19), (25, 60), 100, (15, 30),
                     ["oak veneer", "tempered glass, steel", "marble top, brass", "mango wood"],
                     ["living room"], (149, 699)),
    "side table": ((16, 24), (16, 24), (20, 26), (10, 25), 50, (10, 20),
                   ["walnut", "steel", "rattan", "marble top"], ["living room", "bedroom"], (69, 299)),
    "bookcase": ((30, 48), (12, 16), (60, 84), (45, 120), 200, (30, 75),
                 ["solid pine", "oak veneer", "walnut veneer", "steel frame, oak shelves"],
                 ["living room", "home office", "bedroom"], (129, 799)),
    "bed frame": ((62, 82), (84, 88), (38, 50), (80, 160), 800, (45, 90),
                  ["solid pine", "upholstered linen", "steel", "walnut veneer"], ["bedroom"], (299, 1499)),
    "nightstand": ((18, 26), (15, 18), (22, 28), (20, 45), 50, (15, 30),
                   ["oak", "walnut veneer", "painted pine", "rattan"], ["bedroom"], (99, 399)),
    "dresser": ((48, 64), (17, 20), (30, 36), (90, 160), 150, (45, 90),
                ["oak veneer", "solid mango wood", "painted pine", "walnut veneer"], ["bedroom"], (399, 1499)),
    "desk": ((42, 60), (22, 30), (29, 30), (40, 90), 150, (20, 45),
             ["oak veneer, steel legs", "solid walnut", "bamboo", "white lacquer"], ["home office", "bedroom"],
             (179, 899)),
    "office chair": ((25, 28), (25, 28), (38, 46), (30, 45), 275, (15, 30),
                     ["mesh, aluminium base", "leather, steel base", "fabric, nylon base"], ["home office"],
                     (149, 799)),
    "tv stand": ((55, 72), (15, 18), (20, 26), (45, 100), 150, (30, 60),
                 ["oak veneer", "walnut veneer", "steel and glass", "mango wood"], ["living room", "bedroom"],
                 (199, 899)),
    "rug": ((60, 120), (96, 144), (0, 1), (12, 40), 0, (0, 0),
            ["hand-tufted wool", "flatweave cotton", "jute", "polypropylene (indoor/outdoor)"],
            ["living room", "bedroom", "dining room", "home office"], (129, 999)),
    "floor lamp": ((12, 18), (12, 18), (58, 70), (8, 20), 0, (5, 15),
                   ["brass", "matte black steel", "walnut and linen", "marble base"],
                   ["living room", "bedroom", "home office", "reading nook"], (79, 399)),
    "table lamp": ((8, 14), (8, 14), (16, 28), (3, 9), 0, (0, 5),
                   ["ceramic and linen", "brass", "glass", "concrete"], ["living room", "bedroom", "home office"],
                   (39, 189)),
    "skillet": ((10, 12), (17, 20), (2, 3), (4, 8), 0, (0, 0),
                ["cast iron", "carbon steel", "tri-ply stainless steel", "ceramic nonstick"], ["kitchen"],
                (29, 149)),
    "dutch oven": ((10, 13), (12, 15), (6, 8), (10, 15), 0, (0, 0),
                   ["enamelled cast iron", "cast iron", "stainless steel"], ["kitchen"], (59, 349)),
    "knife set": ((6, 8), (12, 15), (14, 16), (5, 9), 0, (0, 0),
                  ["German stainless steel, walnut block", "Japanese steel, acacia block", "high-carbon steel"],
                  ["kitchen"], (79, 499)),
    "throw blanket": ((50, 60), (60, 70), (0, 1), (2, 5), 0, (0, 0),
                      ["merino wool", "cotton waffle", "faux fur", "cashmere blend"],
                      ["living room", "bedroom"], (39, 249)),
    "mirror": ((24, 36), (1, 2), (30, 72), (15, 45), 0, (0, 10),
               ["brass frame", "oak frame", "black steel frame", "frameless bevelled glass"],
               ["entryway", "bedroom", "bathroom", "living room"], (79, 449)),
}  # fmt: skip

_HOME_COLLECTIONS = (
    "Harlow", "Everly", "Ashford", "Brookline", "Calder", "Dalton", "Easton", "Fulton", "Granby", "Hollis",
    "Kendall", "Mercer", "Norwood", "Oakley", "Preston", "Quincy", "Rowan", "Sutton", "Thornton", "Whitby",
    "Avery", "Bexley", "Corbin", "Delmar", "Ellery", "Fenwick", "Greer", "Holt", "Ingram", "Juniper",
)  # fmt: skip
_HOME_FINISHES = ("natural oak", "walnut", "charcoal", "ivory", "sage green", "navy", "terracotta", "black", "grey")
_HOME_BRANDS = ("Lakeside", "Hearthside", "Oak & Iron", "Maple Row", "Copperline", "Fairway")


def _home_attributes(
    kind: str, width: int, depth: int, height: int, weight: int, capacity: int, minutes: int,
    materials: list[str], rooms: list[str],
) -> dict[str, Any]:  # fmt: skip
    attributes: dict[str, Any] = {
        "width_in": width,
        "depth_in": depth,
        "height_in": height,
        "weight_lb": weight,
        "weight_capacity_lb": capacity,
        "assembly_required": minutes > 0,
        "assembly_minutes": minutes,
        "materials": materials,
        "rooms": rooms,
    }
    if kind in HOME_CLEARANCE_IN:
        front, back, sides, note = HOME_CLEARANCE_IN[kind]
        attributes["clearance_in"] = {"front": front, "back": back, "sides": sides}
        attributes["clearance_note"] = note
    return attributes


# --- electronics ----------------------------------------------------------------------------------------

ELECTRONICS_SPEC_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "phone": (("os", "operating system"), ("screen_in", "screen (in)"), ("storage_gb", "storage (GB)"),
              ("charging_port", "charging port"), ("max_charging_w", "fastest charging (W)"),
              ("qi_wireless", "Qi wireless charging"), ("battery_mah", "battery (mAh)")),
    "charger": (("connector", "connector"), ("output_w", "output (W)"), ("ports", "ports"),
                ("cable_included", "cable included"), ("cable", "cable")),
    "wireless charger": (("connector", "connector"), ("output_w", "output (W)"), ("qi_wireless", "Qi"),
                         ("cable_included", "cable included")),
    "headphones": (("bluetooth", "Bluetooth version"), ("noise_cancelling", "noise cancelling"),
                   ("battery_hours", "battery (hours)"), ("codecs", "codecs"), ("charging_port", "charging port"),
                   ("multipoint", "two devices at once")),
    "earbuds": (("bluetooth", "Bluetooth version"), ("noise_cancelling", "noise cancelling"),
                ("battery_hours", "battery (hours)"), ("codecs", "codecs"), ("qi_wireless", "Qi charging case"),
                ("charging_port", "charging port")),
    "laptop": (("os", "operating system"), ("screen_in", "screen (in)"), ("ram_gb", "RAM (GB)"),
               ("storage_gb", "storage (GB)"), ("battery_hours", "battery (hours)"), ("weight_lb", "weight (lb)"),
               ("ports", "ports"), ("charging_w", "charger needed (W)")),
    "tablet": (("os", "operating system"), ("screen_in", "screen (in)"), ("ram_gb", "RAM (GB)"),
               ("storage_gb", "storage (GB)"), ("battery_hours", "battery (hours)"), ("weight_lb", "weight (lb)"),
               ("charging_port", "charging port"), ("max_charging_w", "fastest charging (W)")),
    "monitor": (("screen_in", "screen (in)"), ("resolution", "resolution"), ("refresh_hz", "refresh (Hz)"),
                ("panel", "panel"), ("inputs", "inputs"), ("usb_c_power_w", "USB-C power to a laptop (W)")),
    "cable": (("connector_a", "end A"), ("connector_b", "end B"), ("length_ft", "length (ft)"),
              ("max_w", "power rating (W)"), ("data", "data / video")),
    "power bank": (("capacity_mah", "capacity (mAh)"), ("output_w", "output (W)"), ("ports", "ports"),
                   ("qi_wireless", "Qi wireless")),
}  # fmt: skip
"""The specs of each electronics kind, with their spoken labels, in the order compared."""

_PHONE_MODELS = ("Orbit", "Kestrel", "Aria", "Nova", "Pulse", "Vertex")
_AUDIO_BRANDS = ("Northbeam", "Lumen", "Sonara", "Tidal Audio")
_LAPTOP_BRANDS = ("Nimbus", "Gridpoint", "Corvid")
_TABLET_BRANDS = ("Slate", "Nimbus", "Orbit")
_MONITOR_BRANDS = ("Vista", "Clarion", "Pixel Depot")
_CHARGER_BRANDS = ("Voltline", "ChargeCraft", "Amperly")
_DEVICE_COLOURS = ("black", "silver", "white", "midnight blue", "graphite", "sage")


def _electronics_product(kind: str, n: int, rng: random.Random) -> tuple[str, str, dict[str, Any], int, list[str]]:
    """A generated electronics product: ``(name, brand, specs, price cents, colours)``."""
    if kind == "phone":
        brand = _PHONE_MODELS[n % len(_PHONE_MODELS)]
        apple_like = brand == "Aria"
        gen = 5 + n % 9
        port = "Lightning" if apple_like and gen < 10 else "USB-C"
        specs = {
            "os": "iOS 18" if apple_like else rng.choice(["Android 14", "Android 15"]),
            "screen_in": rng.choice([6.1, 6.3, 6.5, 6.7, 6.8]),
            "storage_gb": rng.choice([128, 256, 512]),
            "charging_port": port,
            "max_charging_w": rng.choice([20, 25, 27]) if apple_like else rng.choice([25, 33, 45, 65]),
            "qi_wireless": rng.random() < 0.75,
            "battery_mah": rng.randrange(3800, 5600, 100),
            "bluetooth": rng.choice(["5.2", "5.3", "5.4"]),
        }
        suffix = rng.choice(["", " Pro", " Lite", " Max", " Plus"])
        price = rng.randrange(199, 1199, 10) * 100 - 1
        return f"{brand} {gen}{suffix} phone", brand, specs, price, _pick(rng, _DEVICE_COLOURS, 2, 3)
    if kind in ("charger", "wireless charger"):
        brand = _CHARGER_BRANDS[n % len(_CHARGER_BRANDS)]
        if kind == "wireless charger":
            watts = rng.choice([7, 10, 15])
            specs = {"connector": "Qi pad", "output_w": watts, "qi_wireless": True, "cable_included": True,
                     "cable": "USB-C to USB-C", "ports": 0}  # fmt: skip
            style = rng.choice(["pad", "stand", "2-in-1 stand"])
            return (
                f"{brand} {watts} W wireless charging {style}",
                brand,
                specs,
                rng.randrange(19, 59) * 100 + 99,
                [
                    "black",
                    "white",
                ],
            )
        connector = rng.choice(["USB-C", "USB-C", "USB-C", "USB-A"])
        watts = rng.choice([20, 30, 45, 65, 100, 140]) if connector == "USB-C" else rng.choice([12, 18])
        ports = 1 if watts <= 30 else rng.choice([1, 2, 3])
        included = rng.random() < 0.5
        specs = {"connector": connector, "output_w": watts, "ports": ports, "cable_included": included,
                 "cable": ("USB-C to USB-C" if connector == "USB-C" else "USB-A to USB-C") if included else "",
                 "qi_wireless": False}  # fmt: skip
        label = f"{ports}-port " if ports > 1 else ""
        gan = " GaN" if watts >= 45 else ""
        return (
            f"{brand} {watts} W {label}{connector}{gan} charger",
            brand,
            specs,
            (9 + watts // 3) * 100 + 99,
            ["white"],
        )
    if kind in ("headphones", "earbuds"):
        brand = _AUDIO_BRANDS[n % len(_AUDIO_BRANDS)]
        anc = rng.random() < 0.6
        codecs = ["SBC", "AAC", *rng.choice([[], ["aptX"], ["LDAC"], ["aptX", "LDAC"]])]
        specs = {
            "bluetooth": rng.choice(["5.0", "5.2", "5.3", "5.4"]),
            "noise_cancelling": anc,
            "battery_hours": rng.choice([20, 24, 30, 40, 50, 60])
            if kind == "headphones"
            else rng.choice([5, 6, 8, 10]),
            "codecs": codecs,
            "charging_port": "USB-C",
            "multipoint": rng.random() < 0.5,
            "qi_wireless": kind == "earbuds" and rng.random() < 0.5,
        }
        model = rng.choice(["Q", "Air", "Studio", "Go", "Flex", "Pro"]) + str(1 + n % 7)
        anc_label = "noise-cancelling " if anc else ""
        price = rng.randrange(39, 399) if anc else rng.randrange(19, 149)
        return f"{brand} {model} {anc_label}{kind}", brand, specs, price * 100 + 99, _pick(rng, _DEVICE_COLOURS, 1, 3)
    if kind in ("laptop", "tablet"):
        brands = _LAPTOP_BRANDS if kind == "laptop" else _TABLET_BRANDS
        brand = brands[n % len(brands)]
        screen = rng.choice([13.3, 14.0, 15.6, 16.0]) if kind == "laptop" else rng.choice([8.3, 10.9, 11.0, 12.9])
        specs = {
            "os": rng.choice(["Windows 11", "ChromeOS", "Linux"]) if kind == "laptop" else rng.choice(["Android 15",
                                                                                                     "iPadOS 18"]),
            "screen_in": screen,
            "ram_gb": rng.choice([8, 16, 32]) if kind == "laptop" else rng.choice([4, 6, 8]),
            "storage_gb": rng.choice([256, 512, 1024]) if kind == "laptop" else rng.choice([64, 128, 256]),
            "battery_hours": rng.randrange(8, 22) if kind == "laptop" else rng.randrange(9, 14),
            "weight_lb": round(rng.uniform(2.5, 4.8), 1) if kind == "laptop" else round(rng.uniform(0.7, 1.5), 1),
            "charging_port": "USB-C",
        }  # fmt: skip
        if kind == "laptop":
            specs["ports"] = ["USB-C (DisplayPort)", "USB-C", *rng.choice([["HDMI", "USB-A"], ["HDMI"], ["USB-A"], []])]
            specs["charging_w"] = rng.choice([45, 65, 65, 90, 100])
        else:
            specs["ports"] = ["USB-C (DisplayPort)"] if rng.random() < 0.5 else ["USB-C"]
            specs["max_charging_w"] = rng.choice([18, 20, 30, 45])
        size = f"{screen:g}"
        price = rng.randrange(499, 2199) if kind == "laptop" else rng.randrange(199, 999)
        return f"{brand} {size} {kind}", brand, specs, price * 100 + 99, _pick(rng, _DEVICE_COLOURS, 1, 2)
    if kind == "monitor":
        brand = _MONITOR_BRANDS[n % len(_MONITOR_BRANDS)]
        inches = rng.choice([24, 27, 27, 32, 34])
        res = rng.choice(["1920x1080", "2560x1440", "3840x2160"]) if inches != 34 else "3440x1440"
        usb_c_w = rng.choice([0, 0, 65, 90])
        inputs = ["HDMI 2.0", "DisplayPort 1.4"] + ([f"USB-C ({usb_c_w} W)"] if usb_c_w else [])
        specs = {"screen_in": inches, "resolution": res, "refresh_hz": rng.choice([60, 75, 100, 144, 165]),
                 "panel": rng.choice(["IPS", "VA", "OLED"]), "inputs": inputs, "usb_c_power_w": usb_c_w}  # fmt: skip
        label = {"1920x1080": "Full HD", "2560x1440": "QHD", "3840x2160": "4K", "3440x1440": "ultrawide"}[res]
        model = rng.choice(["", " Pro", " Studio", " Play"])
        price = {"Full HD": 129, "QHD": 229, "4K": 329, "ultrawide": 449}[label] + rng.randrange(0, 300)
        return f"{brand}{model} {inches}-inch {label} monitor", brand, specs, price * 100 + 99, ["black"]
    if kind == "cable":
        brand = rng.choice(["Braid", "Voltline", "ChargeCraft"])
        pair = rng.choice([("USB-C", "USB-C"), ("USB-C", "Lightning"), ("USB-A", "USB-C"), ("USB-A", "Lightning"),
                           ("HDMI", "HDMI"), ("USB-C", "HDMI"), ("DisplayPort", "DisplayPort")])  # fmt: skip
        length = rng.choice([3, 6, 10])
        power = {"USB-C": rng.choice([60, 100, 240]), "USB-A": 12, "HDMI": 0, "DisplayPort": 0}[pair[0]]
        if pair[1] == "Lightning":
            power = 20 if pair[0] == "USB-C" else 12
        if pair[1] in ("HDMI", "DisplayPort"):
            power = 0
        data = {"HDMI": "HDMI 2.1, 4K 120 Hz", "DisplayPort": "DisplayPort 1.4, 4K 144 Hz"}.get(
            pair[1], rng.choice(["USB 2.0", "USB 3.2, 10 Gbps"])
        )
        specs = {"connector_a": pair[0], "connector_b": pair[1], "length_ft": length, "max_w": power, "data": data}
        return (
            f"{brand} {pair[0]} to {pair[1]} cable, {length} ft",
            brand,
            specs,
            (7 + length) * 100 + 99,
            ["black", "white"],
        )
    # power bank
    brand = rng.choice(["Juice", "Voltline", "Amperly"])
    capacity = rng.choice([5000, 10000, 20000, 26800])
    qi = rng.random() < 0.4
    specs = {"capacity_mah": capacity, "output_w": rng.choice([20, 30, 45, 65]), "ports": ["USB-C", "USB-A"],
             "qi_wireless": qi, "connector": "USB-C"}  # fmt: skip
    label = " wireless" if qi else ""
    return (
        f"{brand} {capacity // 1000}K{label} power bank",
        brand,
        specs,
        (19 + capacity // 1000) * 100 + 99,
        [
            "black",
            "white",
        ],
    )


def _pick(rng: random.Random, pool: tuple[str, ...], low: int, high: int) -> list[str]:
    return rng.sample(pool, rng.randint(low, high))


# --- fashion --------------------------------------------------------------------------------------------

SizeChart = dict[str, dict[str, tuple[float, float]]]
"""Size label → measurement (``chest``, ``waist``, ``hip``, ``foot``) → ``(low, high)`` inches."""

_TOPS = ("XS", "S", "M", "L", "XL", "XXL")
_TRUE_TOPS: SizeChart = {
    "XS": {"chest": (32, 34)}, "S": {"chest": (35, 37)}, "M": {"chest": (38, 40)},
    "L": {"chest": (41, 43)}, "XL": {"chest": (44, 46)}, "XXL": {"chest": (47, 49)},
}  # fmt: skip
_SMALL_TOPS: SizeChart = {
    "XS": {"chest": (31, 32)}, "S": {"chest": (33, 35)}, "M": {"chest": (36, 38)},
    "L": {"chest": (39, 41)}, "XL": {"chest": (42, 44)}, "XXL": {"chest": (45, 47)},
}  # fmt: skip
_LARGE_TOPS: SizeChart = {
    "XS": {"chest": (33, 35)}, "S": {"chest": (36, 38)}, "M": {"chest": (39, 41)},
    "L": {"chest": (42, 45)}, "XL": {"chest": (46, 49)}, "XXL": {"chest": (50, 53)},
}  # fmt: skip
_LETTER_BOTTOMS: SizeChart = {
    "XS": {"waist": (25, 27), "hip": (34, 36)}, "S": {"waist": (28, 30), "hip": (37, 39)},
    "M": {"waist": (31, 33), "hip": (40, 42)}, "L": {"waist": (34, 36), "hip": (43, 45)},
    "XL": {"waist": (37, 39), "hip": (46, 48)}, "XXL": {"waist": (40, 42), "hip": (49, 51)},
}  # fmt: skip
_WAIST_BOTTOMS: SizeChart = {
    str(w): {"waist": (w - 0.5, w + 0.5), "hip": (w + 7.0, w + 9.0)} for w in range(28, 40, 2)
} | {str(w): {"waist": (w - 0.5, w + 0.5), "hip": (w + 7.0, w + 9.0)} for w in range(29, 38, 2)}
_DRESSES: SizeChart = {
    "XS": {"chest": (31, 33), "waist": (24, 26), "hip": (34, 36)},
    "S": {"chest": (34, 35), "waist": (27, 28), "hip": (37, 38)},
    "M": {"chest": (36, 37), "waist": (29, 30), "hip": (39, 40)},
    "L": {"chest": (38, 40), "waist": (31, 33), "hip": (41, 43)},
    "XL": {"chest": (41, 43), "waist": (34, 36), "hip": (44, 46)},
}
_SHOES: SizeChart = {
    # US men's sizes: foot length in inches = (size + 22) / 3, a quarter inch either side.
    f"{s:g}": {"foot": (round((s + 22) / 3 - 0.083, 2), round((s + 22) / 3 + 0.083, 2))}
    for s in (7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5, 11, 11.5, 12, 13)
}

SIZE_CHARTS: dict[str, dict[str, SizeChart]] = {
    "Northwind": {"tops": _TRUE_TOPS, "bottoms": _LETTER_BOTTOMS},
    "Cobalt Thread": {"tops": _SMALL_TOPS, "bottoms": _LETTER_BOTTOMS, "dresses": _DRESSES},
    "Trailhead": {"tops": _LARGE_TOPS, "bottoms": _LETTER_BOTTOMS},
    "Urban Loom": {"tops": _TRUE_TOPS, "bottoms": _LETTER_BOTTOMS},
    "Meridian": {"tops": _TRUE_TOPS, "bottoms": _WAIST_BOTTOMS},
    "Fernwood": {"shoes": _SHOES},
    "Sable & Rye": {"dresses": _DRESSES, "tops": _TRUE_TOPS},
}
"""Each fashion brand's size chart per garment type (body measurements in inches, from the brands' charts):
Northwind and Urban Loom are true to size, Cobalt Thread runs small (its M fits a 36-38 in chest),
Trailhead runs large, Meridian sizes jeans by waist inches, Fernwood sizes shoes in US men's sizes."""
BRAND_FIT_NOTES: dict[str, str] = {
    "Northwind": "fits true to size",
    "Cobalt Thread": "runs small; between sizes, size up",
    "Trailhead": "runs large, with a relaxed cut",
    "Urban Loom": "fits true to size",
    "Meridian": "sizes jeans by waist in inches",
    "Fernwood": "uses US men's shoe sizes; women's is 1.5 larger",
    "Sable & Rye": "fits true to size",
}
"""How each brand fits, completing "<brand> ..." (from the brands' size guides)."""
_BRAND_SELLER = {
    "Northwind": 1013, "Cobalt Thread": 1014, "Trailhead": 1015, "Urban Loom": 1016, "Meridian": 1017,
    "Fernwood": 1018, "Sable & Rye": 1019,
}  # fmt: skip

GARMENT_OF_KIND: dict[str, str] = {
    "rain jacket": "tops", "denim jacket": "tops", "puffer jacket": "tops", "fleece": "tops", "sweater": "tops",
    "hoodie": "tops", "t-shirt": "tops", "flannel shirt": "tops", "jeans": "bottoms", "chinos": "bottoms",
    "joggers": "bottoms", "dress": "dresses", "sneakers": "shoes", "boots": "shoes", "loafers": "shoes",
    "scarf": "one_size", "beanie": "one_size",
}  # fmt: skip
"""Which size chart a fashion kind uses."""

# kind: (brands, materials, fits, descriptors, colours, price range dollars)
_FASHION_KINDS: dict[str, tuple[Any, ...]] = {
    "rain jacket": (("Northwind", "Cobalt Thread", "Trailhead"), ("recycled nylon, waterproof membrane",
                    "3-layer Gore-style shell", "waxed cotton"), ("regular", "relaxed"),
                    ("packable", "hooded", "storm", "trail", "city"), ("navy", "red", "black", "olive", "yellow"),
                    (79, 249)),
    "denim jacket": (("Meridian", "Urban Loom", "Cobalt Thread"), ("rigid cotton denim", "stretch denim"),
                     ("regular", "cropped", "oversized"), ("classic", "sherpa-lined", "washed", "trucker"),
                     ("light wash", "mid wash", "black", "indigo"), (69, 159)),
    "puffer jacket": (("Northwind", "Trailhead"), ("recycled down fill", "synthetic insulation"),
                      ("regular", "relaxed"), ("lightweight", "hooded", "long", "quilted"),
                      ("black", "navy", "olive", "tan"), (99, 299)),
    "fleece": (("Trailhead", "Northwind"), ("recycled polyester fleece", "sherpa fleece"), ("regular", "relaxed"),
               ("half-zip", "full-zip", "grid"), ("grey", "forest green", "navy", "cream"), (39, 119)),
    "sweater": (("Urban Loom", "Cobalt Thread", "Northwind"), ("merino wool", "cotton", "cashmere blend",
                "lambswool"), ("regular", "slim", "oversized"), ("crewneck", "cable-knit", "V-neck", "roll-neck"),
                ("cream", "grey", "navy", "camel", "burgundy", "forest green"), (49, 229)),
    "hoodie": (("Trailhead", "Urban Loom"), ("organic cotton fleece", "French terry"), ("regular", "relaxed"),
               ("pullover", "zip", "heavyweight"), ("grey", "black", "navy", "sage"), (39, 99)),
    "t-shirt": (("Urban Loom", "Cobalt Thread", "Trailhead"), ("organic cotton", "linen", "cotton jersey"),
                ("regular", "slim", "relaxed"), ("crew", "pocket", "V-neck", "heavyweight"),
                ("white", "black", "grey", "navy", "olive"), (15, 45)),
    "flannel shirt": (("Trailhead", "Meridian"), ("brushed cotton flannel",), ("regular", "relaxed"),
                      ("plaid", "buffalo check", "overshirt"), ("red", "green", "blue", "grey"), (39, 89)),
    "jeans": (("Meridian", "Cobalt Thread"), ("stretch denim", "rigid selvedge denim"),
              ("slim", "straight", "relaxed", "tapered"), ("slim", "straight", "relaxed", "tapered", "bootcut"),
              ("indigo", "light wash", "black", "grey"), (59, 189)),
    "chinos": (("Meridian", "Urban Loom"), ("cotton twill", "stretch twill"), ("slim", "straight"),
               ("tailored", "weekend", "pleated"), ("khaki", "navy", "olive", "stone"), (49, 119)),
    "joggers": (("Trailhead", "Urban Loom"), ("cotton fleece", "technical stretch"), ("regular", "tapered"),
                ("travel", "lounge", "tech"), ("black", "grey", "navy"), (39, 89)),
    "dress": (("Sable & Rye", "Cobalt Thread"), ("viscose", "linen", "cotton poplin", "silk blend"),
              ("regular", "fitted", "relaxed"), ("wrap", "midi", "shirt", "slip", "sundress"),
              ("black", "emerald", "navy", "floral print", "terracotta", "ivory"), (59, 229)),
    "sneakers": (("Fernwood",), ("leather", "canvas", "recycled knit"), ("regular", "wide"),
                 ("court", "runner", "high-top", "slip-on"), ("white", "black", "grey", "navy"), (59, 179)),
    "boots": (("Fernwood",), ("waterproof leather", "suede"), ("regular", "wide"),
              ("chelsea", "hiking", "lace-up", "work"), ("brown", "black", "tan"), (99, 259)),
    "loafers": (("Fernwood",), ("leather", "suede"), ("regular",), ("penny", "tassel", "driving"),
                ("brown", "black", "burgundy"), (89, 199)),
    "scarf": (("Urban Loom", "Northwind"), ("merino wool", "cashmere blend", "cotton"), ("one size",),
              ("ribbed", "plaid", "oversized"), ("grey", "camel", "burgundy", "navy"), (25, 99)),
    "beanie": (("Northwind", "Trailhead"), ("merino wool", "recycled acrylic"), ("one size",),
               ("ribbed", "fisherman", "pom"), ("black", "grey", "orange", "navy"), (19, 49)),
}  # fmt: skip
_FASHION_STYLES = (
    "Cascade", "Summit", "Ridge", "Harbor", "Meadow", "Canyon", "Aspen", "Coastal", "Granite", "Juniper",
    "Larch", "Mesa", "Nordic", "Pacific", "Quarry", "Sierra", "Tundra", "Upland", "Vale", "Willow",
)  # fmt: skip


def _sizes_for(garment: str, brand: str) -> list[str]:
    if garment == "one_size":
        return ["one size"]
    chart = SIZE_CHARTS[brand].get(garment) or SIZE_CHARTS[brand]["tops"]
    if garment == "bottoms" and brand == "Meridian":
        return [str(w) for w in (28, 30, 31, 32, 33, 34, 36, 38)]
    if garment == "shoes":
        return list(chart)
    return [s for s in _TOPS if s in chart][:5]


# --- books ----------------------------------------------------------------------------------------------

_FIRST = (
    "Eleanor", "Marcus", "Ines", "Theo", "Hana", "Rafael", "Clara", "Owen", "Noor", "Julian", "Ada", "Felix",
    "Leona", "Silas", "Maren", "Tobias", "Yara", "Desmond", "Priyanka", "Ronan", "Beatrix", "Kofi", "Sunniva",
    "Matteo", "Greta", "Isidore", "Wren", "Emeka", "Lucia", "Anselm",
)  # fmt: skip
_LAST = (
    "Vance", "Okafor", "Castell", "Lindqvist", "Moreau", "Hartley", "Nakamura", "Abernathy", "Salgado", "Whitlock",
    "Quinlan", "Petrakis", "Ferreira", "Achterberg", "Mbeki", "Ostrowski", "Delacroix", "Rahimi", "Sorensen",
    "Calloway", "Brennan", "Ilves", "Marchetti", "Thorne", "Kowalczyk",
)  # fmt: skip
_NARRATORS = ("Imogen Hale", "Samuel Okoye", "Rosa Lindgren", "Declan Moore", "Anika Sethi", "Paul Verhoeven")
_PUBLISHERS = ("Harrowgate Press", "Blue Finch Books", "Meridian House", "Tern & Tide", "Longshore Publishing")
_ADJ = (
    "Silent", "Hidden", "Broken", "Golden", "Crimson", "Last", "Winter", "Distant", "Quiet", "Forgotten", "Burning",
    "Glass", "Iron", "Paper", "Wandering", "Midnight", "Salt", "Hollow", "Secret", "Northern", "Amber", "Sleeping",
)  # fmt: skip
_NOUN = (
    "Orchard", "Garden", "River", "Cartographer", "Clockmaker", "Archive", "Bridge", "Meadow", "Observatory",
    "Crown", "Ferryman", "Cellar", "Compass", "Atlas", "Violin", "Mapmaker", "Apiary", "Glasshouse", "Chapel",
    "Falconer", "Botanist", "Quarry", "Inheritance", "Cipher", "Mill", "Tannery", "Weaver",
)  # fmt: skip
_PLACE = (
    "Ashby", "Larkspur", "Wrenfield", "Lisbon", "Kyoto", "Marrakesh", "Hollow Creek", "Saint Ives", "Valparaiso",
    "Tallinn", "Oxbow", "Castlemere", "the Fens", "Corran Bay",
)  # fmt: skip
_FICTION_GENRES = (
    "mystery", "thriller", "fantasy", "science fiction", "romance", "historical fiction", "literary fiction",
)  # fmt: skip
_HOOKS = {
    "mystery": "a retired detective reopens the case that ended her career",
    "thriller": "a translator overhears a plot she was never meant to understand",
    "fantasy": "an apprentice mapmaker discovers the maps redraw themselves",
    "science fiction": "the crew of a generation ship wakes a century too early",
    "romance": "two rival bakers are forced to share a market stall for a summer",
    "historical fiction": "a family of glassblowers survives a century of upheaval",
    "literary fiction": "three sisters return home to settle their mother's estate",
}
_SERIES = (
    # (series, genre, author index, number of books)
    ("The Castlemere Chronicles", "fantasy", 1, 4),
    ("Inspector Moreau", "mystery", 4, 5),
    ("The Outer Rim Cycle", "science fiction", 6, 3),
    ("Wrenfield Bakery", "romance", 8, 3),
    ("The Cipher Files", "thriller", 10, 4),
    ("Glasshouse Saga", "historical fiction", 12, 3),
    ("Corran Bay Mysteries", "mystery", 14, 4),
    ("The Amber Throne", "fantasy", 16, 3),
)  # fmt: skip
_NONFICTION: dict[str, tuple[tuple[str, ...], str]] = {
    # kind: (title templates, genre)
    "biography": (("{first} {last}: A Life", "The Life of {first} {last}", "Becoming {first} {last}"), "biography"),
    "cookbook": (("The {adj} Kitchen", "Weeknight {noun2}", "Cooking from {place}", "Salt, Smoke and {noun2}"),
                 "cookbook"),
    "travel guide": (("Walking {place}", "{place}: A Traveller's Guide", "Slow Travel in {place}"), "travel"),
    "poetry collection": (("{adj} Hours", "Songs for the {noun}", "What the {noun} Remembers"), "poetry"),
    "nonfiction": (("The Science of {noun2}", "A Short History of the {noun}", "Why We {verb}"), "nonfiction"),
    "picture book": (("The Little {noun}", "Goodnight, {place}", "Where Did the {noun} Go?"), "children's"),
}  # fmt: skip
_NOUN2 = ("Bread", "Sleep", "Soups", "Noodles", "Habits", "Memory", "Tomatoes", "Weather", "Rivers", "Color")
_VERBS = ("Wander", "Forget", "Sing", "Collect", "Dream", "Sleep")


def _book_formats(
    rng: random.Random, hardcover: int, *, audiobook: bool = True, low_stock: bool = False
) -> list[tuple[str, int, int]]:
    """``(format, price cents, stock)`` of a title: hardcover, paperback, ebook, audiobook."""
    formats = [
        ("hardcover", hardcover, rng.choice([0, 2, 3]) if low_stock else rng.choice([0, 4, 9, 15, 22, 30])),
        ("paperback", hardcover - rng.choice([800, 900, 1000]), 1 if low_stock else rng.choice([5, 12, 25, 40])),
        ("ebook", max(499, hardcover - rng.choice([1100, 1200, 1300])), DIGITAL_STOCK),
    ]
    if audiobook:
        formats.append(("audiobook", hardcover - rng.choice([0, 200, 400]) - 1, DIGITAL_STOCK))
    return formats


# --- building rows ------------------------------------------------------------------------------------


class _Catalog:
    """Accumulates products and variants, keeping names unique and stock summed."""

    def __init__(self) -> None:
        self.products: dict[str, Product] = {}
        self.variants: list[dict[str, Any]] = []
        """Variant rows, inserted in one executemany (thousands of rows: much faster than ORM objects)."""
        self.names: set[str] = set()
        self.collisions = 0

    def add(
        self,
        sku: str,
        *,
        name: str,
        category: str,
        kind: str,
        brand: str,
        seller: str,
        description: str,
        rating: int,
        attributes: dict[str, Any],
        variants: list[tuple[str, str, str, int, int]],
    ) -> Product:
        """Add one product and its variants ``(size, colour, format, price cents, stock)``; the first variant
        is the main one (its price is the product's price)."""
        assert sku not in self.products, sku
        product = Product(
            sku=sku,
            name=name,
            category=category,
            kind=kind,
            brand=brand,
            seller_id=seller,
            description=description,
            rating_tenths=rating,
            attributes=attributes,
            price_cents=variants[0][3],
            stock=sum(v[4] for v in variants),
        )
        self.products[sku] = product
        self.names.add(name.casefold())
        for size, colour, fmt, price, stock in variants:
            self.variants.append(
                {"sku": sku, "size": size, "colour": colour, "format": fmt, "price_cents": price, "stock": stock}
            )
        return product

    def unique(self, name: str) -> bool:
        """Whether no product has this name yet (generators draw another name when not)."""
        if name.casefold() not in self.names:
            return True
        self.collisions += 1
        if self.collisions > MAX_NAME_COLLISIONS:
            raise RuntimeError("the catalogue word lists are too small for the requested number of products")
        return False


def _colour_variants(colours: list[str], price: int, stocks: list[int]) -> list[tuple[str, str, str, int, int]]:
    return [("", c, "", price, s) for c, s in zip(colours, stocks, strict=True)]


def _showcase(cat: _Catalog) -> None:
    """The demo products and the curated worked examples (fixed values; see the module table)."""
    seller = SELLER_ID.format
    sofa = _home_attributes("sofa", 84, 38, 34, 145, 750, 40, ["kiln-dried oak frame", "performance linen"],
                            ["living room", "family room"])  # fmt: skip
    cat.add(HOME_SKU.format(4001), name="Brass desk lamp", category="home", kind="table lamp", brand="Hearthside",
            seller=seller(1003), description="Adjustable brass desk lamp with a linen-lined shade and a dimmer.",
            rating=45, attributes=_home_attributes("table lamp", 8, 10, 19, 6, 0, 0, ["solid brass"],
                                                   ["home office", "bedroom", "living room"]),
            variants=[("", "brass", "", 5900, 18), ("", "matte black", "", 5900, 7)])  # fmt: skip
    cat.add(HOME_SKU.format(4002), name="Cast iron skillet, 12 inch", category="home", kind="skillet",
            brand="Lakeside", seller=LAKESIDE, description="Pre-seasoned cast iron skillet with a helper handle.",
            rating=48, attributes=_home_attributes("skillet", 12, 19, 2, 8, 0, 0, ["cast iron"], ["kitchen"]),
            variants=[("", "black", "", 4500, 3)])  # fmt: skip
    cat.add(HOME_SKU.format(4003), name="Harbor 3-seat sofa", category="home", kind="sofa", brand="Lakeside",
            seller=LAKESIDE, description="Deep-seat three-seater with reversible cushions and solid oak legs.",
            rating=46, attributes=sofa, variants=[("", "grey", "", 89900, 4), ("", "navy", "", 89900, 1)])  # fmt: skip
    cat.add(HOME_SKU.format(4004), name="Linden power recliner", category="home", kind="recliner", brand="Lakeside",
            seller=LAKESIDE, description="Power recliner with USB-C port in the arm; needs a foot of space behind.",
            rating=44, attributes=_home_attributes("recliner", 36, 39, 41, 102, 300, 15,
                                                   ["steel mechanism", "top-grain leather"], ["living room"]),
            variants=[("", "cognac", "", 64900, 2), ("", "charcoal", "", 64900, 0)])  # fmt: skip
    cat.add(HOME_SKU.format(4005), name="Birch extending dining table", category="home", kind="dining table",
            brand="Oak & Iron", seller=seller(1004),
            description="Seats six, extends to 90 inches with the leaf; birch with a matte lacquer.",
            rating=45, attributes=_home_attributes("dining table", 72, 40, 30, 120, 300, 45, ["solid birch"],
                                                   ["dining room", "kitchen"]),
            variants=[("", "natural birch", "", 109900, 6)])  # fmt: skip
    cat.add(HOME_SKU.format(4006), name="Alder 5-shelf bookcase", category="home", kind="bookcase", brand="Lakeside",
            seller=LAKESIDE, description="Tall solid alder bookcase with adjustable shelves and a wall anchor kit.",
            rating=47, attributes=_home_attributes("bookcase", 36, 14, 76, 88, 200, 50, ["solid alder"],
                                                   ["living room", "home office", "bedroom"]),
            variants=[("", "natural alder", "", 34900, 2)])  # fmt: skip
    cat.add(HOME_SKU.format(4007), name="Fenwick arc floor lamp", category="home", kind="floor lamp",
            brand="Lakeside", seller=LAKESIDE, description="Arching floor lamp on a marble base, 70 inches tall.",
            rating=43, attributes=_home_attributes("floor lamp", 16, 16, 70, 32, 0, 10, ["steel", "marble base"],
                                                   ["living room", "reading nook"]),
            variants=[("", "brass", "", 18900, 1)])  # fmt: skip

    seller_audio, seller_pixel, seller_volt, seller_grid = seller(1010), seller(1009), seller(1007), seller(1011)
    cat.add(ELECTRONICS_SKU.format(3001), name="Noise-cancelling headphones", category="electronics",
            kind="headphones", brand="Northbeam", seller=seller_audio,
            description="Northbeam Q7 over-ear headphones with adaptive noise cancelling and 30 hours of battery.",
            rating=46, attributes={"specs": {"bluetooth": "5.3", "noise_cancelling": True, "battery_hours": 30,
                                             "codecs": ["SBC", "AAC", "LDAC"], "charging_port": "USB-C",
                                             "multipoint": True, "qi_wireless": False}},
            variants=[("", "black", "", 19900, 14), ("", "silver", "", 19900, 6)])  # fmt: skip
    cat.add(ELECTRONICS_SKU.format(3002), name="27-inch 4K monitor", category="electronics", kind="monitor",
            brand="Vista", seller=seller_pixel,
            description="27 inch 4K IPS monitor with USB-C power delivery for a laptop over one cable.",
            rating=45, attributes={"specs": {"screen_in": 27, "resolution": "3840x2160", "refresh_hz": 60,
                                             "panel": "IPS", "inputs": ["HDMI 2.0", "HDMI 2.0", "DisplayPort 1.4",
                                                                        "USB-C (65 W)"], "usb_c_power_w": 65}},
            variants=[("", "black", "", 32900, 9)])  # fmt: skip
    cat.add(ELECTRONICS_SKU.format(3003), name="Orbit X2 phone", category="electronics", kind="phone", brand="Orbit",
            seller=seller(1008), description="6.5 inch Android phone with 45 W wired and 15 W Qi wireless charging.",
            rating=44, attributes={"specs": {"os": "Android 15", "screen_in": 6.5, "storage_gb": 128,
                                             "charging_port": "USB-C", "max_charging_w": 45, "qi_wireless": True,
                                             "battery_mah": 5000, "bluetooth": "5.3"}},
            variants=[("128 GB", "black", "", 59900, 8), ("256 GB", "black", "", 66900, 3),
                      ("128 GB", "sage", "", 59900, 0)])  # fmt: skip
    cat.add(ELECTRONICS_SKU.format(3004), name="Aria 13 phone", category="electronics", kind="phone", brand="Aria",
            seller=seller(1025), description="6.1 inch phone with a Lightning port, 20 W charging and Qi charging.",
            rating=45, attributes={"specs": {"os": "iOS 18", "screen_in": 6.1, "storage_gb": 128,
                                             "charging_port": "Lightning", "max_charging_w": 20, "qi_wireless": True,
                                             "battery_mah": 3300, "bluetooth": "5.3"}},
            variants=[("128 GB", "midnight blue", "", 52900, 5), ("128 GB", "white", "", 52900, 4)])  # fmt: skip
    cat.add(ELECTRONICS_SKU.format(3005), name="Voltline 20 W USB-C charger", category="electronics",
            kind="charger", brand="Voltline", seller=seller_volt,
            description="Compact single-port 20 W USB-C power delivery charger; cable sold separately.",
            rating=46, attributes={"specs": {"connector": "USB-C", "output_w": 20, "ports": 1, "cable_included": False,
                                             "cable": "", "qi_wireless": False}},
            variants=[("", "white", "", 1999, 40)])  # fmt: skip
    cat.add(ELECTRONICS_SKU.format(3006), name="Voltline 65 W GaN charger", category="electronics", kind="charger",
            brand="Voltline", seller=seller_volt,
            description="Two-port 65 W USB-C GaN charger with a 6 ft USB-C to USB-C cable.",
            rating=47, attributes={"specs": {"connector": "USB-C", "output_w": 65, "ports": 2, "cable_included": True,
                                             "cable": "USB-C to USB-C", "qi_wireless": False}},
            variants=[("", "white", "", 4999, 22), ("", "black", "", 4999, 0)])  # fmt: skip
    cat.add(ELECTRONICS_SKU.format(3007), name="Voltline 15 W wireless charging pad", category="electronics",
            kind="wireless charger", brand="Voltline", seller=seller_volt,
            description="Qi wireless pad, up to 15 W; USB-C cable included, power adapter sold separately.",
            rating=43, attributes={"specs": {"connector": "Qi pad", "output_w": 15, "qi_wireless": True,
                                             "cable_included": True, "cable": "USB-C to USB-C", "ports": 0}},
            variants=[("", "black", "", 2999, 17)])  # fmt: skip
    cat.add(ELECTRONICS_SKU.format(3008), name="Nimbus 14 laptop", category="electronics", kind="laptop",
            brand="Nimbus", seller=seller_grid, description="14 inch laptop that charges over USB-C at 65 W.",
            rating=45, attributes={"specs": {"os": "Windows 11", "screen_in": 14.0, "ram_gb": 16, "storage_gb": 512,
                                             "battery_hours": 14, "weight_lb": 3.1, "charging_port": "USB-C",
                                             "ports": ["USB-C (DisplayPort)", "USB-C", "HDMI", "USB-A"],
                                             "charging_w": 65}},
            variants=[("16/512 GB", "silver", "", 99900, 6), ("32 GB/1 TB", "silver", "", 129900, 2)])  # fmt: skip
    cat.add(ELECTRONICS_SKU.format(3009), name="Lumen Air noise-cancelling earbuds", category="electronics",
            kind="earbuds", brand="Lumen", seller=seller_audio,
            description="Earbuds with noise cancelling, 8 hours per charge and a Qi wireless charging case.",
            rating=44, attributes={"specs": {"bluetooth": "5.3", "noise_cancelling": True, "battery_hours": 8,
                                             "codecs": ["SBC", "AAC"], "charging_port": "USB-C",
                                             "multipoint": False, "qi_wireless": True}},
            variants=[("", "white", "", 12900, 11), ("", "black", "", 12900, 0)])  # fmt: skip
    cat.add(ELECTRONICS_SKU.format(3010), name="Braid USB-C to Lightning cable, 6 ft", category="electronics",
            kind="cable", brand="Braid", seller=seller_volt,
            description="Braided USB-C to Lightning cable rated for 20 W fast charging.",
            rating=46, attributes={"specs": {"connector_a": "USB-C", "connector_b": "Lightning", "length_ft": 6,
                                             "max_w": 20, "data": "USB 2.0"}},
            variants=[("", "white", "", 1599, 60)])  # fmt: skip

    northwind, cobalt = seller(1013), seller(1014)
    jacket_stock = {("M", "red"): 0, ("XL", "black"): 0, ("XS", "red"): 1}
    cat.add(FASHION_SKU.format(2001), name="Alpine rain jacket", category="fashion", kind="rain jacket",
            brand="Northwind", seller=northwind,
            description="Fully seam-sealed waterproof shell with a helmet-compatible hood and pit zips.",
            rating=47, attributes={"garment": "tops", "material": "recycled nylon, waterproof membrane",
                                   "fit": "regular", "colours": ["navy", "red", "black"]},
            variants=[(size, colour, "", 12900, jacket_stock.get((size, colour), 6))
                      for colour in ("navy", "red", "black") for size in ("XS", "S", "M", "L", "XL")])  # fmt: skip
    cat.add(FASHION_SKU.format(2002), name="Harbor packable rain jacket", category="fashion", kind="rain jacket",
            brand="Cobalt Thread", seller=cobalt,
            description="Lightweight rain jacket that packs into its own pocket; slim cut.",
            rating=42, attributes={"garment": "tops", "material": "recycled nylon, waterproof coating",
                                   "fit": "slim", "colours": ["yellow", "navy"]},
            variants=[(size, colour, "", 8900, 0 if (size, colour) == ("L", "yellow") else 5)
                      for colour in ("yellow", "navy") for size in ("XS", "S", "M", "L", "XL")])  # fmt: skip
    cat.add(FASHION_SKU.format(2003), name="Meridian slim jeans", category="fashion", kind="jeans", brand="Meridian",
            seller=seller(1017), description="Slim-leg stretch denim jeans with a mid rise.",
            rating=46, attributes={"garment": "bottoms", "material": "stretch denim", "fit": "slim",
                                   "colours": ["indigo", "black"]},
            variants=[(size, colour, "", 8900, 0 if size == "33" else 4) for colour in ("indigo", "black")
                      for size in ("28", "30", "31", "32", "33", "34", "36")])  # fmt: skip
    cat.add(FASHION_SKU.format(2004), name="Fernwood court sneakers", category="fashion", kind="sneakers",
            brand="Fernwood", seller=seller(1018), description="White leather court sneakers with a cushioned insole.",
            rating=45, attributes={"garment": "shoes", "material": "leather", "fit": "regular",
                                   "colours": ["white", "black"]},
            variants=[(size, colour, "", 11900, 3) for colour in ("white", "black")
                      for size in ("8", "8.5", "9", "9.5", "10", "10.5", "11", "12")])  # fmt: skip
    cat.add(FASHION_SKU.format(2005), name="Urban Loom merino crewneck sweater", category="fashion", kind="sweater",
            brand="Urban Loom", seller=seller(1016), description="Fine-gauge merino wool crewneck.",
            rating=46, attributes={"garment": "tops", "material": "merino wool", "fit": "regular",
                                   "colours": ["camel", "grey", "navy"]},
            variants=[(size, colour, "", 9800, 4) for colour in ("camel", "grey", "navy")
                      for size in ("S", "M", "L", "XL")])  # fmt: skip

    raman = RAMAN_BOOKS
    saltmarsh = (("The Lighthouse Keeper", 1, 2021, 352, 2400, "BOK-1001"), ("The Tide Clock", 2, 2022, 368, 2600,
                 "BOK-1002"), ("Drowned Bells", 3, 2024, 400, 2800, "BOK-1003"))  # fmt: skip
    for title, number, year, pages, price, sku in saltmarsh:
        name = "The Lighthouse Keeper, hardcover" if sku == "BOK-1001" else title
        formats = [("hardcover", price, 12), ("paperback", price - 900, 20), ("ebook", price - 1200, DIGITAL_STOCK),
                   ("audiobook", price - 200 - 1, DIGITAL_STOCK)]  # fmt: skip
        cat.add(sku, name=name, category="books", kind="novel", brand="Tern & Tide", seller=raman,
                description=f"Saltmarsh Mysteries, book {number}: a harbour-master's daughter solves the "
                            "drownings that haunt a Norfolk fishing village.",
                rating=46, attributes={"title": title, "author": "Eleanor Vance", "series": "Saltmarsh Mysteries",
                                       "series_number": number, "genre": "mystery", "pages": pages, "year": year,
                                       "publisher": "Tern & Tide", "narrator": "Imogen Hale",
                                       "audio_hours": round(pages / 33, 1)},
                variants=[("", "", f, p, s) for f, p, s in formats])  # fmt: skip
    cat.add(BOOK_SKU.format(1004), name="Salt Hours", category="books", kind="poetry collection",
            brand="Blue Finch Books", seller=raman, description="Poems of the northern coast, in four seasons.",
            rating=47, attributes={"title": "Salt Hours", "author": "Sunniva Ilves", "series": "", "series_number": 0,
                                   "genre": "poetry", "pages": 96, "year": 2023, "publisher": "Blue Finch Books",
                                   "narrator": "", "audio_hours": 0},
            variants=[("", "", "hardcover", 2200, 2), ("", "", "paperback", 1400, 6),
                      ("", "", "ebook", 899, DIGITAL_STOCK)])  # fmt: skip

    cat.add(GIFT_CARD_SKU.format(5001), name="Marketplace gift card, 50 dollars", category="gift_cards",
            kind="gift card", brand="Marketplace", seller=MARKETPLACE_DIRECT,
            description="A digital gift card for anything on the marketplace.", rating=49,
            attributes={"value_cents": 5000}, variants=[("", "", "digital", 5000, DIGITAL_STOCK)])  # fmt: skip


def _generate_home(cat: _Catalog, rng: random.Random, count: int) -> None:
    kinds = list(_HOME_KINDS)
    sellers = _sellers_for("home")
    number = GENERATED_FROM
    n = 0
    while n < count:
        kind = kinds[n % len(kinds)]
        w, d, h, wt, capacity, minutes, materials, rooms, price = _HOME_KINDS[kind]
        finish = rng.choice(_HOME_FINISHES)
        name = f"{rng.choice(_HOME_COLLECTIONS)} {finish} {kind}"
        width, depth = rng.randint(*w), rng.randint(*d)
        if kind == "bed frame":
            size_name, width, depth = rng.choice([("twin", 42, 80), ("full", 57, 80), ("queen", 64, 84),
                                                  ("king", 80, 84)])  # fmt: skip
            name = f"{name}, {size_name}"
        if kind == "rug":
            feet = rng.choice([(5, 8), (6, 9), (8, 10), (9, 12)])
            width, depth = feet[0] * 12, feet[1] * 12
            name = f"{name}, {feet[0]} x {feet[1]} ft"
        if not cat.unique(name):
            continue
        material = rng.choice(materials)
        lo, hi = minutes
        assembly = 0 if hi == 0 or (lo == 0 and rng.random() < 0.5) else rng.randrange(max(lo, 5), hi + 1, 5)
        attributes = _home_attributes(kind, width, depth, rng.randint(*h), rng.randint(*wt), capacity, assembly,
                                      [material], list(rooms))  # fmt: skip
        if kind == "recliner" and rng.random() < 0.4:
            attributes["clearance_in"] = {"front": 24, "back": 4, "sides": 0}
            attributes["clearance_note"] = "wall-hugger design: only 4 in behind it to recline, 24 in for the footrest"
            name = name.replace("recliner", "wall-hugger recliner")
        base = rng.randrange(price[0], price[1] + 1, 10) * 100 - 1
        colours = [finish] + ([c for c in rng.sample(_HOME_FINISHES, 2) if c != finish][:1] if rng.random() < 0.4
                              else [])  # fmt: skip
        stocks = [rng.choice([0, 1, 3, 5, 8, 12, 20]) for _ in colours]
        seller = LAKESIDE if n % 11 == 0 else sellers[n % len(sellers)]
        if seller == LAKESIDE:
            stocks = [rng.choice([1, 2, 3]) for _ in colours]
        brand = "Lakeside" if seller == LAKESIDE else _HOME_BRANDS[1 + n % (len(_HOME_BRANDS) - 1)]
        cat.add(HOME_SKU.format(number), name=name, category="home", kind=kind, brand=brand, seller=seller,
                description=f"{kind.capitalize()} in {material}, {finish} finish.", rating=rng.randint(34, 49),
                attributes=attributes, variants=_colour_variants(colours, base, stocks))  # fmt: skip
        number += 1
        n += 1


def _generate_electronics(cat: _Catalog, rng: random.Random, count: int) -> None:
    kinds = ["phone", "charger", "headphones", "earbuds", "laptop", "tablet", "monitor", "cable", "power bank",
             "charger", "wireless charger"]  # fmt: skip
    sellers = _sellers_for("electronics")
    number = GENERATED_FROM
    n = 0
    while n < count:
        kind = kinds[n % len(kinds)]
        name, brand, specs, price, colours = _electronics_product(kind, n, rng)
        if not cat.unique(name):
            continue
        stocks = [rng.choice([0, 2, 5, 10, 25, 50]) for _ in colours]
        variants = _colour_variants(colours, price, stocks)
        if kind == "phone":
            variants = [(f"{specs['storage_gb']} GB", c, "", price, s) for c, s in zip(colours, stocks, strict=True)]
        cat.add(ELECTRONICS_SKU.format(number), name=name, category="electronics", kind=kind, brand=brand,
                seller=sellers[n % len(sellers)], description=_electronics_blurb(kind, specs),
                rating=rng.randint(33, 49), attributes={"specs": specs}, variants=variants)  # fmt: skip
        number += 1
        n += 1


def _electronics_blurb(kind: str, specs: dict[str, Any]) -> str:
    if kind == "phone":
        qi = " and Qi wireless charging" if specs["qi_wireless"] else ""
        return (
            f"{specs['screen_in']} inch phone, {specs['charging_port']} port, {specs['max_charging_w']} W charging{qi}."
        )
    if kind in ("charger", "wireless charger"):
        cable = "cable included" if specs["cable_included"] else "cable sold separately"
        return f"{specs['output_w']} W {specs['connector']} charger, {cable}."
    if kind in ("headphones", "earbuds"):
        anc = "noise cancelling, " if specs["noise_cancelling"] else ""
        return f"Bluetooth {specs['bluetooth']} {kind}, {anc}{specs['battery_hours']} hours of battery."
    if kind in ("laptop", "tablet"):
        return f"{specs['screen_in']} inch {kind}, {specs['ram_gb']} GB RAM, {specs['storage_gb']} GB storage."
    if kind == "monitor":
        return f"{specs['screen_in']} inch {specs['panel']} monitor, {specs['resolution']} at {specs['refresh_hz']} Hz."
    if kind == "cable":
        return f"{specs['connector_a']} to {specs['connector_b']} cable, {specs['length_ft']} ft."
    return f"{specs['capacity_mah']} mAh power bank, {specs['output_w']} W output."


def _generate_fashion(cat: _Catalog, rng: random.Random, count: int) -> None:
    kinds = list(_FASHION_KINDS)
    number = GENERATED_FROM
    n = 0
    while n < count:
        kind = kinds[n % len(kinds)]
        brands, materials, fits, descriptors, colour_pool, price = _FASHION_KINDS[kind]
        brand = rng.choice(brands)
        name = f"{rng.choice(_FASHION_STYLES)} {rng.choice(descriptors)} {kind}"
        if not cat.unique(name):
            continue
        garment = GARMENT_OF_KIND[kind]
        sizes = _sizes_for(garment, brand)
        colours = rng.sample(colour_pool, min(len(colour_pool), rng.randint(2, 3)))
        base = rng.randrange(price[0], price[1] + 1) * 100 - rng.choice([0, 0, 1])
        variants = [
            (size, colour, "", base, rng.choice([0, 0, 1, 2, 4, 6, 9, 12])) for colour in colours for size in sizes
        ]
        cat.add(FASHION_SKU.format(number), name=name, category="fashion", kind=kind, brand=brand,
                seller=SELLER_ID.format(_BRAND_SELLER[brand]) if n % 9 else MARKETPLACE_DIRECT,
                description=f"{rng.choice(fits).capitalize()}-fit {kind} in {rng.choice(materials)}.",
                rating=rng.randint(33, 49),
                attributes={"garment": garment, "material": rng.choice(materials), "fit": rng.choice(fits),
                            "colours": colours},
                variants=variants)  # fmt: skip
        number += 1
        n += 1


def _generate_books(cat: _Catalog, rng: random.Random, count: int) -> None:
    sellers = _sellers_for("books")
    number = GENERATED_FROM
    authors = [f"{_FIRST[i]} {_LAST[(i * 7) % len(_LAST)]}" for i in range(len(_FIRST))]
    plan: list[tuple[str, str, str, int]] = []  # (kind, genre, series, series number)
    for series, genre, _author, books in _SERIES:
        plan.extend(("novel", genre, series, k) for k in range(1, books + 1))
    while len(plan) < count:
        roll = rng.random()
        if roll < 0.62:
            plan.append(("novel", rng.choice(_FICTION_GENRES), "", 0))
        else:
            kind = rng.choice(list(_NONFICTION))
            plan.append((kind, _NONFICTION[kind][1], "", 0))
    series_author = {s: authors[a] for s, _g, a, _n in _SERIES}
    n = 0
    for kind, genre, series, series_number in plan[:count]:
        while True:
            title = _book_title(rng, kind)
            if cat.unique(title):
                break
        author = series_author[series] if series else rng.choice(authors)
        pages = rng.randrange(180, 620) if kind == "novel" else rng.randrange(40, 420)
        if kind == "picture book":
            pages = rng.choice([32, 40, 48])
        year = rng.randrange(1998, 2027) if not series else 2012 + 2 * series_number + len(series) % 5
        hardcover = rng.randrange(18, 36) * 100
        low = n % 13 == 0
        seller = RAMAN_BOOKS if low else sellers[n % len(sellers)]
        formats = _book_formats(rng, hardcover, audiobook=kind not in ("picture book", "cookbook"), low_stock=low)
        narrator = rng.choice(_NARRATORS) if len(formats) == 4 else ""
        hook = _HOOKS.get(genre, "")
        description = (
            f"{series}, book {series_number}: {hook}." if series else
            (f"A {genre} novel set in {rng.choice(_PLACE)}: {hook}." if kind == "novel" else
             f"A {kind} by {author}.")
        )  # fmt: skip
        cat.add(BOOK_SKU.format(number), name=title, category="books", kind=kind, brand=rng.choice(_PUBLISHERS),
                seller=seller, description=description, rating=rng.randint(35, 49),
                attributes={"title": title, "author": author, "series": series, "series_number": series_number,
                            "genre": genre, "pages": pages, "year": year, "publisher": rng.choice(_PUBLISHERS),
                            "narrator": narrator, "audio_hours": round(pages / 33, 1) if narrator else 0},
                variants=[("", "", f, p, s) for f, p, s in formats])  # fmt: skip
        number += 1
        n += 1


def _book_title(rng: random.Random, kind: str) -> str:
    if kind == "novel":
        pattern = rng.choice(["The {adj} {noun}", "The {noun} of {place}", "A {adj} {noun}", "{adj} {noun}",
                              "The {noun} at {place}", "The {noun}'s {noun_b}"])  # fmt: skip
    else:
        pattern = rng.choice(_NONFICTION[kind][0])
    title = pattern.format(
        adj=rng.choice(_ADJ), noun=rng.choice(_NOUN), noun_b=rng.choice(_NOUN), place=rng.choice(_PLACE),
        first=rng.choice(_FIRST), last=rng.choice(_LAST), noun2=rng.choice(_NOUN2), verb=rng.choice(_VERBS),
    )  # fmt: skip
    words = [w.casefold().removesuffix("'s") for w in title.split()]
    if any(a != b and (b.startswith(a) or a.startswith(b)) for a in words for b in words) or len(set(words)) < len(
        words
    ):
        return _book_title(rng, kind)  # "A Glass Glasshouse", "The Mill's Mill": draw again
    return title


STORE_OWNERS: dict[str, str] = {SELLER_ID.format(s.number): s.owner for s in SELLERS if s.owner is not None}
"""Seller id → owning demo customer (``SEL-1001`` → ``CUS-1002``, ``SEL-1002`` → ``CUS-1003``)."""


async def assign_store_owners(session: AsyncSession) -> None:
    """Link the demo stores to their owners (:data:`STORE_OWNERS`).

    Separate from :func:`seed_catalog` because the catalogue is seeded before the customers it would
    refer to; :func:`services.seed.seed_database` calls this once the customers are flushed.
    """
    for seller_id, customer_id in STORE_OWNERS.items():
        await session.execute(update(Seller).where(Seller.id == seller_id).values(owner_customer_id=customer_id))


async def seed_catalog(
    session: AsyncSession, *, fake: Faker, rng: random.Random, now: dt.datetime
) -> dict[str, Product]:
    """Add the sellers, products and variants to ``session``; return the products by SKU.

    Args:
        session: The seeding transaction.
        fake: The shared Faker (not used: the catalogue draws from its own ``random.Random(CATALOG_SEED)``
            so the customers seeded afterwards stay the same).
        rng: The shared random generator (not used, for the same reason).
        now: The seeding instant; sellers' join dates are offsets from it.

    Returns:
        Every product by SKU (demo, showcase and generated, plus the gift card).
    """
    del fake, rng  # the catalogue has its own generator (see the module docstring)
    own = random.Random(CATALOG_SEED)
    cat = _Catalog()
    _showcase(cat)
    _generate_home(cat, own, GENERATED_PER_CATEGORY["home"])
    _generate_electronics(cat, own, GENERATED_PER_CATEGORY["electronics"])
    _generate_fashion(cat, own, GENERATED_PER_CATEGORY["fashion"])
    _generate_books(cat, own, GENERATED_PER_CATEGORY["books"])
    session.add_all(_seller_rows(now))
    await session.flush()
    session.add_all(cat.products.values())
    await session.flush()
    await session.execute(insert(ProductVariant), cat.variants)
    return cat.products
