"""Service package: roll (database + rules, no HTTP)."""
