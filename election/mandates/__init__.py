"""The committees' composition over time and the seats left vacant between elections (issue 20)."""
