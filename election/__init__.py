"""Juxuan (居选): community residents' committee elections, from the roll to an audited result.

This package file imports nothing, so the pure parts (`election.rules`,
`election.protocol`) and the verifier load without Flask or SQLAlchemy. The
application factory is `election.app.create_app`.
"""
