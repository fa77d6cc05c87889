"""The ledger: the election's append-only event log and its hash chain (events.py) and
the election's signing key (keys.py). Everything that builds, seals, exports or looks up a
bundle from it lives above, in election.publication; its commands live with the CLI."""
