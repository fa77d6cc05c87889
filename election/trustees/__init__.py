"""The public recount's trustees on the server: the key ceremony relayed as ledger events,
each counted round encrypted under the trustees' joint key, their partial decryptions
collected, and the ``recount.json`` a bundle carries. The server never holds a key share."""
