"""The public recount's cryptography: exponential ElGamal over ristretto255 (RFC 9496) with
zero-knowledge proofs, and a k-of-n trustee key. Pure: no Flask, no database, no I/O.

Group arithmetic is libsodium's, through rbcl; nothing here computes on field elements.
Every point or scalar that comes from outside is decoded canonically (``group.point``,
``group.scalar``), and every failure is a ``CryptoError`` naming what failed."""
