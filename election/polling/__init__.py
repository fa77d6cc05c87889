"""Service package: polling (database + rules, no HTTP)."""
