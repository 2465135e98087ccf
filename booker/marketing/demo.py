"""The issue's example segments, for `make run` (the shop adds "bought a print": shop/demo.py)."""

from __future__ import annotations

from collections.abc import Callable

from booker.marketing.services import ensure_segment

SEGMENTS = (
    ("Mariés livrés il y a plus de 11 mois",
     "Pour l'anniversaire de mariage : une séance de couple, un album.",
     [("delivered_clients", {"number": 11, "text": "Mariage"})]),
    ("Entreprises sans séance cette année",
     "Membres des entreprises sans séance depuis le 1er janvier (intérêt légitime).",
     [("idle_companies", {})]),
)


def seed(log: Callable[[str], None]) -> None:
    for name, description, conditions in SEGMENTS:
        if ensure_segment(name, conditions, description=description)[1]:
            log(f"segment {name}")
