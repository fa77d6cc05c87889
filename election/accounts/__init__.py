"""Accounts: users, roles, password hashing (Argon2id) and who may see which community."""
