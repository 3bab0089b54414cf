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


def check_registry() -> None:
    """Fail fast at start-up if the agent graph is broken.

    Checks that the registry keys match the agents' names, that every agent has its prompt, and
    that every agent's transfer tool offers all the other agents (so every agent can reach every
    other, the human agent included, and get back).

    Raises:
        RuntimeError: with one line per problem.
    """
    from .base import transfer_tool
    from .prompts import prompt

    problems: list[str] = []
    for key, cls in AGENTS.items():
        if cls.name != key:
            problems.append(f"registry key {key!r} holds agent named {cls.name!r}")
        try:
            prompt(key)
        except FileNotFoundError:
            problems.append(f"agent {key!r} has no prompts/{key}.md")
        targets = set(transfer_tool(cls).info.raw_schema["parameters"]["properties"]["target"]["enum"])
        if targets != set(AGENTS) - {key}:
            problems.append(f"agent {key!r} cannot reach {sorted(set(AGENTS) - {key} - targets)}")
    if ENTRY_AGENT not in AGENTS or "human" not in AGENTS:
        problems.append("the entry agent and the human agent must both be registered")
    if problems:
        raise RuntimeError("broken agent graph: " + "; ".join(problems))
