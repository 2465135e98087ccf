"""What an anonymous visitor's page costs, next to the cheapest page Django can serve.

gunicorn with the production settings (2 workers, gthread), PostgreSQL and the Redis cache on
loopback (bench.stack), the demo content seeded; a bounded load (a fixed number of requests,
a time cap, a few keep-alive connections, each a client process of its own) on:
- a minimal view (`/bench/minimal`, only with BOOKE_BENCH_VIEWS: the whole middleware stack,
  no database, a two-byte response): the yardstick;
- the home page, a blog post and the catalogue's first page, as an anonymous visitor
  ("cached": served by the page cache once the first request stored it), and again with a
  session cookie that matches no session ("rendered": until issue 20 the cache was bypassed
  and the page rendered for each request; now such a request gets the stored page too, the
  visitor's own bits coming from the visitor fragment);
- the same pages for a logged-in client ("logged in": the demo's client@booke.test, a real
  session made for the run), the cost a person who has logged in pays for each page, and the
  visitor fragment their page's script fetches (`/visiteur/`: their header, token, name).

Prints requests/s, p50 and p95 for each, and each page's ratio to the minimal view; the last
line is the headline. The database, media and search index are kept between runs (next to
the system's temporary files, per database name) so that seeding happens once; --fresh
starts over.

    python -m bench pages [--requests 1000] [--rendered-requests 200] [--connections 4]
        [--rounds 5] [--time-cap 30] [--database-url postgres://…] [--redis-url redis://…] [--fresh]
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench import stack

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/booke_bench_pages"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
# A session key that exists nowhere: the request carries an identity cookie and Django finds no
# session (an anonymous render when nothing is stored; the stored page since issue 20).
RENDERED_COOKIE = "sessionid=benchpagesnosuchsession0000000000"
GOALS = {"home": 0.5, "blog post": 0.5, "catalogue": 0.25}
# Issue 20: a logged-in client's pages at least this fraction of the minimal view.
LOGGED_IN_GOAL = 0.1
LOGGED_IN_EMAIL = "client@booke.test"


@dataclass
class Result:
    name: str
    mode: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    hits: int
    errors: int
    times: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- The client: a separate process per connection, no Django --------------------------------


def client_main(argv: list[str]) -> int:
    """`python -m bench.pages --client URL COUNT START DEADLINE COOKIE`: from the wall-clock
    START (every client of a measurement starts together), COUNT requests on one keep-alive
    connection until DEADLINE; prints JSON."""
    url, count, start, deadline = argv[0], int(argv[1]), float(argv[2]), float(argv[3])
    cookie = argv[4]
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Cookie": cookie} if cookie else {}
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.connect()
    times, hits, errors = [], 0, 0
    time.sleep(max(0.0, start - time.time()))
    started = time.time()
    for _ in range(count):
        if time.time() > deadline:
            break
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            answer = conn.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            continue
        times.append(time.perf_counter() - t0)
        if answer.status != 200:
            errors += 1
        if answer.getheader("X-Cache") == "hit":
            hits += 1
    print(json.dumps({"times": times, "hits": hits, "errors": errors,
                      "started": started, "ended": time.time()}))
    return 0


def measure(name: str, mode: str, url: str, requests: int, connections: int,
            time_cap: float, cookie: str = "") -> Result:
    # Warm-up, not counted: the first request stores the page; each worker imports its code.
    for _ in range(4):
        _get(url, cookie)
    # The clients start Python first, then wait for the same instant.
    start = time.time() + 1.0 + 0.1 * connections
    deadline = start + time_cap
    share = [requests // connections + (1 if i < requests % connections else 0)
             for i in range(connections)]
    procs = [subprocess.Popen([sys.executable, "-m", "bench.pages", "--client", url, str(n),
                               str(start), str(deadline), cookie],
                              stdout=subprocess.PIPE, text=True, cwd=stack.ROOT)
             for n in share if n]
    outputs = [json.loads(proc.communicate(timeout=time_cap + 120)[0]) for proc in procs]
    times = sorted(t for out in outputs for t in out["times"])
    seconds = max(o["ended"] for o in outputs) - min(o["started"] for o in outputs)
    if not times:
        raise RuntimeError(f"{name}: no request answered within {time_cap:.0f} s")
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return Result(name, mode, len(times), seconds, statistics.median(times) * 1000, p95 * 1000,
                  sum(o["hits"] for o in outputs), sum(o["errors"] for o in outputs), times)


def merge(parts: list[Result]) -> Result:
    """One row for the rounds of a page: their requests over their summed durations."""
    times = sorted(t for r in parts for t in r.times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return Result(parts[0].name, parts[0].mode, len(times), sum(r.seconds for r in parts),
                  statistics.median(times) * 1000, p95 * 1000, sum(r.hits for r in parts),
                  sum(r.errors for r in parts), times)


def _get(url: str, cookie: str = "") -> http.client.HTTPResponse:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                     headers={"Cookie": cookie} if cookie else {})
        answer = conn.getresponse()
        answer.body = answer.read()
        return answer
    finally:
        conn.close()


# --- The site ------------------------------------------------------------------------------


def _code_fingerprint() -> str:
    import hashlib

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted([*root.glob("**/migrations/*.py"), *root.glob("**/demo.py")]):
        if ".venv" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _prepare(database_url: str, redis_url: str, fresh: bool, log) -> dict[str, str]:
    """Database, media and index for the bench, seeded once and kept (by database name)."""
    for problem in (stack.postgres_problem(database_url) if database_url.startswith("postgres")
                    else "", stack.redis_problem(redis_url)):
        if problem:
            raise RuntimeError(problem)
    name = Path(urlsplit(database_url).path).name or "db"
    keep = Path(tempfile.gettempdir()) / f"booke-bench-pages-{name}"
    # Seeded by this code's migrations and demo: a database kept from older code is seeded
    # again rather than served half-migrated (a 500 on the home page, seen once).
    seeded = keep / f"seeded-{_code_fingerprint()}"
    if fresh or not seeded.exists():
        shutil.rmtree(keep, ignore_errors=True)
        if database_url.startswith("postgres"):
            stack.ensure_database(database_url, fresh=True)
        elif database_url.startswith("sqlite:///"):
            Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    keep.mkdir(parents=True, exist_ok=True)
    # The page cache's entries of an earlier run name rows of an earlier database.
    stack.flush_redis(redis_url)
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(keep / "media"),
        "PRIVATE_MEDIA_ROOT": str(keep / "private"),
        "HAYSTACK_WHOOSH_PATH": str(keep / "whoosh"),
        "BOOKE_BENCH_VIEWS": "1",
        # gunicorn.conf.py replaces a worker every ~2000 requests; a run makes several
        # thousand, and a worker booting mid-measurement would stall whichever page it hit.
        "GUNICORN_CMD_ARGS": "--max-requests 0",
    }
    if not seeded.exists():
        # The production settings index products as they are saved (haystack's realtime
        # processor), so the catalogue's index is built by the seeding itself.
        log("  migrate, seed_demo… (once; --fresh to redo)")
        stack.migrate(env)
        stack.manage(env, "seed_demo", "--quiet")
        seeded.touch()
    return env


def _blog_post_path(env: dict[str, str]) -> str:
    code = ("from editorial.models import BlogPostPage; "
            "print(BlogPostPage.objects.live().order_by('path').first().url)")
    return stack.manage(env, "shell", "-c", code).stdout.strip().splitlines()[-1]


def _client_session_cookie(env: dict[str, str]) -> str:
    """A session of the demo's client, made as the login view makes one (a session row holding
    the user's id, backend and password hash): the cookie of a logged-in person."""
    code = (
        "from django.contrib.auth import get_user_model, BACKEND_SESSION_KEY, "
        "HASH_SESSION_KEY, SESSION_KEY; "
        "from django.conf import settings; "
        "from importlib import import_module; "
        f"u = get_user_model().objects.get(email={LOGGED_IN_EMAIL!r}); "
        "s = import_module(settings.SESSION_ENGINE).SessionStore(); "
        "s[SESSION_KEY] = str(u.pk); s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]; "
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create(); print(s.session_key)"
    )
    key = stack.manage(env, "shell", "-c", code).stdout.strip().splitlines()[-1]
    return f"sessionid={key}"


def run(argv: list[str]) -> int:
    if argv[:1] == ["--client"]:
        return client_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench pages", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000,
                        help="requests per cached page and for the minimal view")
    parser.add_argument("--rendered-requests", type=int, default=200,
                        help="requests per page with the cache bypassed")
    parser.add_argument("--rounds", type=int, default=5,
                        help="the cached pages and the minimal view, taken in turns")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--time-cap", type=float, default=30, help="seconds per measurement")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--fresh", action="store_true", help="drop and seed the database again")
    args = parser.parse_args(argv)

    env = _prepare(args.database_url, args.redis_url, args.fresh, print)
    post = _blog_post_path(env)
    logged_in_cookie = _client_session_cookie(env)
    pages = {"home": "/", "blog post": post, "catalogue": "/shop/catalogue/"}
    with stack.web(env, args.workers) as site:
        for name, path in pages.items():
            answer = _get(site.url + path)
            if answer.status != 200:
                raise RuntimeError(f"{name} ({path}) answered {answer.status}")
        minimal_url = site.url + "/bench/minimal"
        if _get(minimal_url).status != 200:
            raise RuntimeError("/bench/minimal is missing: BOOKE_BENCH_VIEWS did not reach it")

        def load(name, mode, path, requests, cookie=""):
            return measure(name, mode, site.url + path, requests, args.connections,
                           args.time_cap, cookie)

        # Rounds, each the minimal view then the cached pages, so that a change of the
        # machine's load (it is shared) weighs on all of them alike; the rendered pages are
        # slow enough to be measured once.
        per_round = [args.requests // args.rounds + (1 if i < args.requests % args.rounds else 0)
                     for i in range(args.rounds)]
        rounds = []
        for count in per_round:
            rounds.append(load("minimal view", "", "/bench/minimal", count))
            rounds += [load(name, "cached", path, count) for name, path in pages.items()]
        results = [merge([r for r in rounds if r.name == "minimal view"])]
        for name, path in pages.items():
            results.append(merge([r for r in rounds if r.name == name]))
            results.append(load(name, "rendered", path, args.rendered_requests, RENDERED_COOKIE))
            results.append(load(name, "logged in", path, args.rendered_requests,
                                logged_in_cookie))
        # What a logged-in page view adds when the page came from the cache: their header,
        # token and name (editorial/site/views.py), fetched by the page's script.
        results.append(load("visitor bits", "logged in", "/visiteur/", args.rendered_requests,
                            logged_in_cookie))

    minimal = results[0].rate
    print(f"gunicorn {args.workers} workers (gthread), production settings, "
          f"{urlsplit(args.database_url).scheme}, Redis cache; {args.connections} connections, "
          f"client processes apart; blog post {post}")
    print(f"  {'page':<14}{'mode':<10}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'× minimal':>11}{'hits':>7}{'errors':>8}")
    for r in results:
        print(f"  {r.name:<14}{r.mode:<10}{r.requests:>9}{r.rate:>9.1f}{r.p50_ms:>9.1f}"
              f"{r.p95_ms:>9.1f}{r.rate / minimal:>10.2f}×{r.hits:>7}{r.errors:>8}")
    errors = sum(r.errors for r in results)
    ratio = {(r.name, r.mode): r.rate / minimal for r in results}
    headline = ", ".join(
        f"{name} {ratio[name, 'cached']:.2f}× (rendered {ratio[name, 'rendered']:.2f}×, "
        f"logged in {ratio[name, 'logged in']:.2f}×, goal ≥ {GOALS[name]}, logged in "
        f"≥ {LOGGED_IN_GOAL})" for name in pages)
    print(f"pages vs minimal view ({minimal:.0f} req/s): {headline}"
          + (f"; {errors} ERRORS" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
