"""Pure election law: rulebook, thresholds, validity, tally, run-offs, districting.

Nothing here imports Flask, SQLAlchemy or does I/O: plain dataclasses in, plain
dataclasses out, so the verifier and the tests can use it without a server.
"""
