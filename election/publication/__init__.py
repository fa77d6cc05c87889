"""Publication: the election's public record built from every capability below it.

Building a round's bundle from the database (bundle.py), sealing and keeping the public
bundle (published.py), the street office's countersignature (countersign.py), the daily
chain-head notice (notices.py), complaints against the published result (complaints.py)
and a receipt's lookup. It sits above counting, polling and audit and may import them;
nothing below imports it.
"""
