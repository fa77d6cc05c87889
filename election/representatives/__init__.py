"""Service package: representatives (database + rules, no HTTP)."""
