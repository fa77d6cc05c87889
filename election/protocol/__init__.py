"""Pure ledger protocol: receipt and audit codes, domain-separated hashes, the hash
chain, Merkle trees, signatures, the bundle format and risk-limiting audit maths.

No Flask, no database: tools/verify depends on this package and election.rules only.
"""
