"""Recall (罢免) of a member of the 居民委员会 or 居务监督委员会 (issue 20)."""
