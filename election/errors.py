"""The one error type for mistakes a user can make: a Chinese message per problem.

Services raise it before anything is written (or inside the transaction that the caller
then rolls back), so the database stays as it was; the web layer shows every message.
"""
from __future__ import annotations


class UserError(Exception):
    """Bad input or a step the rules forbid. `messages` are complete Chinese sentences."""

    def __init__(self, *messages: str, rows: list | None = None) -> None:
        super().__init__("；".join(messages))
        self.messages = list(messages)
        self.rows = rows or []


class NotFound(Exception):
    """A record that does not exist, or that this user may not see (both answer 404)."""
