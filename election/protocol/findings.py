"""Findings: what a protocol check found wrong, with a Chinese message a committee
member can act on (it names the box, station, code or event concerned)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One problem. ``code`` is a stable English key for programs; ``message`` is Chinese."""

    code: str
    message: str
    subject: str = ""
