"""One simulated person's browser: a cookie jar, the CSRF token of their session and an
address of their own (sent as X-Forwarded-For; the server trusts one proxy hop)."""
from __future__ import annotations

import http.client
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Down(Exception):
    """No answer: the server is down or the connection broke mid-request (the action may
    or may not have happened; the caller retries it)."""


class Client:
    def __init__(self, base: str, address: str) -> None:
        self.base, self.address = base, address
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def request(self, path: str, data: dict | None = None, accept: str = "text/html",
                timeout: float = 60) -> tuple[int, str, float]:
        """(status, body, seconds). Raises Down when no HTTP answer came back."""
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrf_token": self.token}).encode()
        req = urllib.request.Request(self.base + path, data=body,
                                     headers={"Accept": accept, "X-Forwarded-For": self.address})
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=timeout) as response:
                text = response.read().decode("utf-8", "replace")
                return response.status, text, time.perf_counter() - started
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            return error.code, text, time.perf_counter() - started
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError, OSError) as error:
            raise Down(str(error)) from None

    def login(self, username: str, password: str) -> None:
        status, page, _ = self.request("/login")
        found = CSRF.search(page)
        if found is None:
            raise RuntimeError(f"no CSRF token on /login (HTTP {status})")
        self.token = found.group(1)
        status, page, _ = self.request("/login", {"username": username, "password": password})
        if "退出" not in page:
            raise RuntimeError(f"login of {username} failed ({status})")
        match = CSRF.search(page)
        if match:
            self.token = match.group(1)
