"""Setting up: communities, elections with their bodies and posts, and the rulebook."""
