"""Meetings between elections: 居民会议, 居民代表会议 and 居民小组会议 (issue 20)."""
