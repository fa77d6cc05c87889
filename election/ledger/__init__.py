"""The ledger service: the election's append-only event log, its hash chain and signed
head, and (with the ledger issue) receipts, Merkle trees and bundles."""
