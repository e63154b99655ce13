#!/usr/bin/env python3
"""web-load.py - load generator for the staff console (tests/bench/web.sh).

  web-load.py URL LOGIN PASSWORD [--clients 8] [--rounds 25] [--until FILE]
              [--started FILE] PAGE...

Each PAGE is "LABEL=PATH[|PATH...]": a request for LABEL takes the next of its
paths in turn (several review items, every event, ...).  A PAGE whose LABEL
ends in "?" is optional: when its first path answers 404 it is left out with a
note (a page another branch adds).  Every client logs in once (its own
session, as each staff member has), then makes one warm-up round that is not
counted, then ROUNDS rounds, each requesting every page once in an order of
its own (so the clients do not all ask for the same page at once), over one
keep-alive connection.  With --until the clients go on until FILE exists.

Prints a Markdown table: per page the requests, p50, p95 and the longest
time from sending the request to the last byte of the answer, in ms, and the
answers that were not 200 (a redirect to /login counts as one).
"""
import argparse
import http.client
import random
import re
import sys
import threading
import time
import urllib.parse


def login(host, port, user, password):
    """The session cookie ("name=value") of a fresh login."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request("GET", "/login")
    r = conn.getresponse()
    page = r.read().decode("utf-8")
    jar = {}
    for h in r.msg.get_all("Set-Cookie") or []:
        k, v = h.split(";", 1)[0].split("=", 1)
        jar[k] = v
    m = re.search(r'name="csrf" value="([^"]*)"', page)
    if not m:
        raise SystemExit("web-load: no login form at /login")
    body = urllib.parse.urlencode({"csrf": m.group(1), "login": user, "password": password})
    conn.request("POST", "/login", body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join("%s=%s" % kv for kv in jar.items())})
    r = conn.getresponse()
    r.read()
    for h in r.msg.get_all("Set-Cookie") or []:
        k, v = h.split(";", 1)[0].split("=", 1)
        if k in ("mailreg", "__Host-mailreg") and v:
            conn.close()
            return "%s=%s" % (k, v)
    raise SystemExit("web-load: login refused (HTTP %d)" % r.status)


class Client(threading.Thread):
    def __init__(self, n, args, pages, results, lock):
        super().__init__(daemon=True)
        self.n, self.args, self.pages, self.results, self.lock = n, args, pages, results, lock
        self.error = None

    def get(self, conn, path):
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": self.cookie})
        r = conn.getresponse()
        r.read()
        return r.status, (time.perf_counter() - t0) * 1000

    def run(self):
        try:
            self.work()
        except Exception as e:  # reported by the main thread
            self.error = e

    def work(self):
        a = self.args
        self.cookie = login(a.host, a.port, a.login, a.password)
        conn = http.client.HTTPConnection(a.host, a.port, timeout=60)
        rng = random.Random(self.n)
        turn = {label: self.n for label in self.pages}
        got = {label: [] for label in self.pages}
        bad = {label: 0 for label in self.pages}
        rnd = 0
        while not (rnd > 0 and (_exists(a.until) if a.until else rnd > a.rounds)):
            order = list(self.pages)
            rng.shuffle(order)
            for label in order:
                paths = self.pages[label]
                path = paths[turn[label] % len(paths)]
                turn[label] += 1
                status, ms = self.get(conn, path)
                if rnd == 0:
                    continue  # warm-up
                got[label].append(ms)
                if status != 200:
                    bad[label] += 1
            if rnd == 0 and a.started_path:
                open("%s.%d" % (a.started_path, self.n), "w").close()
            rnd += 1
        conn.close()
        with self.lock:
            for label in self.pages:
                self.results[label][0].extend(got[label])
                self.results[label][1] += bad[label]


def _exists(path):
    try:
        open(path).close()
        return True
    except OSError:
        return False


def pct(values, p):
    """Nearest-rank percentile."""
    v = sorted(values)
    if not v:
        return float("nan")
    k = max(0, min(len(v) - 1, int(-(-p * len(v) // 100)) - 1))
    return v[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("login")
    ap.add_argument("password")
    ap.add_argument("pages", nargs="+")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=25)
    ap.add_argument("--until")
    ap.add_argument("--started", dest="started_path")
    a = ap.parse_args()
    u = urllib.parse.urlsplit(a.url)
    a.host, a.port = u.hostname, u.port or 80

    pages = {}
    cookie = login(a.host, a.port, a.login, a.password)
    probe = http.client.HTTPConnection(a.host, a.port, timeout=60)
    for spec in a.pages:
        label, paths = spec.split("=", 1)
        paths = [p for p in paths.split("|") if p]
        optional = label.endswith("?")
        label = label.rstrip("?")
        if not paths:
            print("note: %s left out: nothing to request (no rows)" % label, file=sys.stderr)
            continue
        probe.request("GET", paths[0], headers={"Cookie": cookie})
        r = probe.getresponse()
        r.read()
        if r.status == 404 and optional:
            print("note: %s left out: this build has no such page (404)" % label, file=sys.stderr)
            continue
        pages[label] = paths
    probe.close()

    results = {label: [[], 0] for label in pages}
    lock = threading.Lock()
    clients = [Client(n, a, pages, results, lock) for n in range(a.clients)]
    t0 = time.perf_counter()
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    wall = time.perf_counter() - t0
    for c in clients:
        if c.error:
            raise SystemExit("web-load: client %d: %r" % (c.n, c.error))
    total = sum(len(r[0]) for r in results.values())
    print("| page | requests | p50 ms | p95 ms | max ms | not 200 |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, (ms, bad) in results.items():
        print("| %s | %d | %.1f | %.1f | %.1f | %d |" % (label, len(ms), pct(ms, 50), pct(ms, 95),
                                                         max(ms) if ms else float("nan"), bad))
    print("web-load: %d clients, %d requests in %.1f s (%.0f per second)" % (a.clients, total, wall,
                                                                             total / wall if wall else 0))


if __name__ == "__main__":
    main()
