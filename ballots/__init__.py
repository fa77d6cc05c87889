"""Everything Juxuan prints: ballot papers with receipt stubs, voter cards, public
notices, result reports and certificates (reportlab + qrcode, embedded CJK font)."""
