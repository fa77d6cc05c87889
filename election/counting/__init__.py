"""Service package: counting (database + rules, no HTTP)."""
