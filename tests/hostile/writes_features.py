"""The advanced features desk's confirmed writes for the shared hostile write suites (merged into ``writes.WRITES``)."""

from __future__ import annotations

from services.demo_data import AVA, MARCUS

from .writes import Write

WRITES_FEATURES: tuple[Write, ...] = (
    Write(
        "manage_wishlist",
        "advanced_features",
        {"action": "add", "product": "cast iron skillet"},
        "wishlist_items",
        request="Put the cast iron skillet on my wishlist",
        customer=AVA,
    ),
    Write(
        "create_price_alert",
        "advanced_features",
        {"product": "brass desk lamp", "target_price": 49.99},
        "price_alerts",
        request="Tell me when the brass desk lamp is under fifty dollars",
        customer=AVA,
    ),
    Write(
        "cancel_price_alert",
        "advanced_features",
        {"alert": "the monitor alert"},
        "price_alerts",
        request="Cancel my alert on the monitor",
        customer=AVA,
        inserts=False,
    ),
    Write(
        "subscribe_and_save",
        "advanced_features",
        {"product": "cone coffee filters", "every_weeks": 4},
        "subscriptions",
        request="Send me coffee filters every four weeks",
        customer=AVA,
    ),
    Write(
        "manage_subscription",
        "advanced_features",
        {"subscription": "my coffee beans subscription", "action": "pause"},
        "subscriptions",
        request="Pause my coffee beans subscription",
        customer=MARCUS,
        inserts=False,
    ),
)
"""Wishlist, alerts and the new subscription as Ava (gold tier; seeded alerts ALR-710001/710002); the pause as
Marcus, whose coffee subscription SUB-720001 is active. Each confirmed write inserts or updates one row of its table."""
