"""The whole database schema: the core models plus every domain's tables, on one ``Base.metadata``."""

from __future__ import annotations

from . import account_models, call_models, commerce_models, feature_models, seller_models
from .models import Base

DOMAIN_TABLE_MODULES = (commerce_models, account_models, seller_models, feature_models, call_models)
"""Modules whose tables join ``Base.metadata`` when imported (kept referenced here)."""

__all__ = ["DOMAIN_TABLE_MODULES", "Base"]
