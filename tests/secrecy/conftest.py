"""The polling fixtures (an election with voters, candidates and a station) for these tests."""
from tests.polling.conftest import poll  # noqa: F401
