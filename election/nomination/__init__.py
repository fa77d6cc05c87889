"""Service package: nomination (database + rules, no HTTP)."""
