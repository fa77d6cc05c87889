"""Service package: audit (database + rules, no HTTP)."""
