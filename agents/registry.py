"""The one place that knows all fourteen agents. Agents never import each other: they ask here."""

from __future__ import annotations

from .advanced_features import AdvancedFeaturesAgent
from .authentication import AuthenticationAgent
from .base import MarketplaceAgent
from .books import BooksAgent
from .electronics import ElectronicsAgent
from .fashion import FashionAgent
from .home import HomeAgent
from .human import HumanAgent
from .order_tracking import OrderTrackingAgent
from .personalization import PersonalizationAgent
from .promotions import PromotionsAgent
from .returns import ReturnsAgent
from .sales import SalesAgent
from .security import SecurityAgent
from .seller_management import SellerManagementAgent

_CLASSES: tuple[type[MarketplaceAgent], ...] = (
    AuthenticationAgent,
    HomeAgent,
    BooksAgent,
    ElectronicsAgent,
    FashionAgent,
    OrderTrackingAgent,
    ReturnsAgent,
    SalesAgent,
    PromotionsAgent,
    PersonalizationAgent,
    SellerManagementAgent,
    SecurityAgent,
    AdvancedFeaturesAgent,
    HumanAgent,
)

AGENTS: dict[str, type[MarketplaceAgent]] = {cls.name: cls for cls in _CLASSES}
"""Registry key → agent class, for all fourteen agents."""

ENTRY_AGENT = "authentication"
"""Where every call starts."""
