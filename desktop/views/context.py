"""What every screen is built with: the open store and the signed-in user."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.services.actor import Actor
from desktop.services.store import Store


@dataclass
class ViewContext:
    store: Store
    actor: Actor
