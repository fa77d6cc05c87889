"""The bench's load: HTTP clients in processes of their own, so the server under test never
shares an interpreter with what drives it (`tools.bench_polling` starts them).

``python -m tools.bench_load SPEC`` where SPEC is JSON: base URL, user and password, the
number of client threads, and the work: ``{"get": path, "count": n}`` for n GETs per client, or
``{"issue": [[desk URL, voter id], ...]}`` shared among the clients (each logs in and reads
its CSRF token from the desk page first). Every client logs in (and reads its token) before
the clock starts; then the process prints ``ready`` and waits for a line on its standard
input, so the processes driving one measurement start together and none of their logins
(argon2, slow on purpose) falls inside what is measured. Prints one JSON line: requests,
seconds, the latencies' p50/p99 in ms, and the HTTP errors seen.
"""
from __future__ import annotations

import http.cookiejar
import json
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def login(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base + "/login", timeout=60).read().decode()
    token = _TOKEN.search(page).group(1)  # type: ignore[union-attr]
    opener.open(base + "/login", urllib.parse.urlencode(
        {"username": username, "password": password, "csrf_token": token}).encode(), timeout=60).read()
    return opener


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def run(spec: dict) -> dict:
    base, clients = spec["base"], int(spec["clients"])
    openers = [login(base, spec["username"], spec["password"]) for _ in range(clients)]
    jobs: list[list] = [[] for _ in range(clients)]
    tokens: list[str] = [""] * clients
    if "issue" in spec:
        for i, item in enumerate(spec["issue"]):
            jobs[i % clients].append(item)
        for i, opener in enumerate(openers):
            if jobs[i]:
                page = opener.open(base + jobs[i][0][0], timeout=60).read().decode()
                tokens[i] = _TOKEN.search(page).group(1)  # type: ignore[union-attr]
    else:
        for i in range(clients):
            jobs[i] = [spec["get"]] * int(spec["count"])
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[int] = []

    def client(i: int) -> None:
        opener, out = openers[i], latencies[i]
        for item in jobs[i]:
            if "issue" in spec:
                request = urllib.request.Request(
                    base + item[0] + "/issue", headers={"Accept": "application/json"},
                    data=urllib.parse.urlencode({"voter_id": item[1], "csrf_token": tokens[i]}).encode())
            else:
                request = urllib.request.Request(base + item)
            started = time.perf_counter()
            try:
                opener.open(request, timeout=120).read()
            except urllib.error.HTTPError as error:
                errors.append(error.code)
            out.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    print("ready", flush=True)
    sys.stdin.readline()  # the go: every process of the measurement has logged in
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ended = time.time()
    every = [x for xs in latencies for x in xs]
    return {"requests": len(every), "started": started, "ended": ended, "errors": errors,
            "latencies_ms": [round(x * 1000, 2) for x in every]}


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))))
