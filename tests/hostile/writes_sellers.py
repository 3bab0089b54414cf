"""The seller desk's confirmed writes, for the shared hostile write suites (merged into ``writes.WRITES``)."""

from __future__ import annotations

from services.demo_data import AVA, MARCUS

from .writes import Write

WRITES_SELLERS: tuple[Write, ...] = (
    Write(
        "report_seller_issue",
        "seller_management",
        {
            "seller": "the seller of my novel",
            "kind": "not_as_described",
            "description": "The pages are falling out of the binding",
        },
        "seller_issues",
        request="The novel I bought is falling apart, please report the seller",
        customer=AVA,
    ),
    Write(
        "contact_seller",
        "seller_management",
        {"seller": "the seller of my jacket", "message": "Is the jacket seam-sealed?"},
        "seller_messages",
        request="Ask the jacket seller whether it is seam-sealed",
        customer=AVA,
    ),
    Write(
        "update_listing_stock",
        "seller_management",
        {"listing": "the navy Harbor sofa", "quantity": 6},
        "listing_stock_changes",
        request="Set the navy Harbor sofa in my store to six units",
        customer=MARCUS,
    ),
)
"""Dispute and message as Ava (a buyer); the stock change as Marcus, owner of Lakeside Home Goods (SEL-1001).
Each confirmed write inserts one row in its table (the stock change is logged in ``listing_stock_changes``)."""
