"""A bounded load on the production topology (issue 22): locust, headless, a fixed number of
users and of requests, on loopback, against `make prod-local`'s stack (bench.stack: gunicorn,
qcluster, PostgreSQL, Redis, moto's S3).

Two kinds of users (bench/locustfile.py), half each:
- an anonymous visitor: the home page, a blog post, a portfolio gallery, the catalogue, a
  print's product page;
- a client, signed in: their session's gallery of N proofs (first page, further pages of
  cards, a thumbnail through its S3 redirect), a photo picked then unpicked through the real
  pick endpoint (CSRF token, JSON), a print put in the basket, the basket, the checkout up to
  the order's preview (payment at the studio: Stripe is not called).

The session's proofs are rows and a few small JPEGs put straight on the bucket, not RAW
ingests. gunicorn's worker recycling is turned off for the run: a worker replaced after its
~2000 requests would hide the growth this measures. The RSS of every process of the stack
(gunicorn's master and workers, qcluster's processes) is read after a warm-up (a tenth of
the requests, at least 50, by the same users, so that lazy imports and first-use caches are
not counted as growth) and at the end. Prints per page p50/p95 and errors, throughput, RSS,
and last a one-line verdict: no error, and no process grown by more than 10 %.

    python -m bench load [--users 20] [--spawn-rate 5] [--requests 3000] [--proofs 500]
        [--time-cap 900] [--database-url postgres://…] [--redis-url redis://…]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import stack

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/booke_bench_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
CLIENT_EMAIL = "client@booke.test"
RSS_GROWTH_LIMIT = 0.10
# Distinct images on the bucket; the N proofs point at them in turn (the pages only link
# to them, and the thumbnail's redirect signs whichever key the row names).
DISTINCT_IMAGES = 8
# The kept seed's database (bench.load.kept_seed), shared by every run whatever its own.
SEED_DATABASE = "booke_bench_load_seed"
# Not walked for the seed's fingerprint (nor are hidden folders: the venv, git).
SKIPPED = {"var", "node_modules", "__pycache__", "docs", "tests"}


# --- In the app's environment (manage.py shell): the gallery and the pages' addresses --------


def prepare(proofs: int) -> None:
    """A session in proofing for the demo client with `proofs` ready proofs, their small JPEGs
    on the storage; prints, as the last line, the JSON the load needs."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from booker import services
    from booker.demo import DEMO_PASSWORD
    from booker.models import Rush, Selection, User
    from editorial.models import BlogPostPage, GalleryPage
    from shop import demo as shop_demo

    client = User.objects.get(email=CLIENT_EMAIL)
    session = services.create_session(title=f"Bench load {proofs}", client=client, quota=proofs)
    services.transition(session, "shot", actor=None)
    services.transition(session, "proofing", actor=None)
    Selection.objects.get_or_create(session=session)
    storage = Rush._meta.get_field("proof").storage
    keys = []
    for i in range(DISTINCT_IMAGES):
        out = io.BytesIO()
        Image.new("RGB", (400, 267), (40 + 20 * i, 90, 140)).save(out, "JPEG", quality=70)
        thumb = storage.save(f"bench-load/{session.pk}/t{i}.jpg", ContentFile(out.getvalue()))
        proof = storage.save(f"bench-load/{session.pk}/p{i}.jpg", ContentFile(out.getvalue()))
        keys.append((proof, thumb))
    rushes = Rush.objects.bulk_create(
        Rush(session=session, original=f"bench-load/{session.pk}/{i}.CR2",
             original_filename=f"IMG_{i:05}.CR2", sha256=f"{session.pk:08x}{i:056x}",
             size=30_000_000, width=400, height=267, proof=keys[i % len(keys)][0],
             thumbnail=keys[i % len(keys)][1], ingest_status=Rush.Ingest.READY)
        for i in range(proofs)
    )
    product = shop_demo_product(shop_demo)
    print(json.dumps({
        "session": session.pk,
        "rushes": [r.pk for r in rushes],
        "blog_post": BlogPostPage.objects.live().order_by("path").first().url,
        "gallery": GalleryPage.objects.live().order_by("path").first().url,
        "product": product.get_absolute_url(),
        "product_pk": product.pk,
        "email": CLIENT_EMAIL,
        "password": DEMO_PASSWORD,
    }))


def shop_demo_product(shop_demo):
    from oscar.core.loading import get_model

    product = get_model("catalogue", "Product")
    return product.objects.get(upc=shop_demo.print_upc("20x30", "lustre"))


# --- The bench's side: no Django ---------------------------------------------------------------


def stack_pids(site: stack.Web, cluster: stack.Cluster) -> dict[int, str]:
    """Every process of the stack that serves or works, by a name a reader knows."""
    names = {site.master_pid: "gunicorn master"}
    for n, pid in enumerate(site.worker_pids(), 1):
        names[pid] = f"gunicorn worker {n}"
    names[cluster.pid] = "qcluster main"
    sentinel = cluster.sentinel_pid()
    if sentinel:
        names[sentinel] = "qcluster sentinel"
    workers = cluster.worker_pids()
    for pid in stack.children(sentinel) if sentinel else []:
        names[pid] = (f"qcluster worker {workers.index(pid) + 1}" if pid in workers
                      else "qcluster monitor/pusher")
    return names


def rss(pids: dict[int, str]) -> dict[int, int]:
    return {pid: stack.rss_kib(pid) for pid in pids}


def run_locust(base_url: str, data: dict, args, workdir: Path,
               requests: int) -> tuple[dict, float, str]:
    """locust headless in a process of its own, stopped after `requests` requests; its
    figures (bench/locustfile.py writes them), the seconds it ran, its log."""
    workdir.mkdir(exist_ok=True)
    config = workdir / "load.json"
    config.write_text(json.dumps({**data, "requests": requests}))
    figures = workdir / "figures.json"
    env = {**os.environ, "BENCH_LOAD_CONFIG": str(config), "BENCH_LOAD_OUT": str(figures)}
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
           "--host", base_url, "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
           "--run-time", f"{int(args.time_cap)}s", "--only-summary", "--loglevel", "WARNING",
           # Zero errors is the verdict's to say, not locust's exit code.
           "--exit-code-on-error", "0"]
    started = time.monotonic()
    done = subprocess.run(cmd, env=env, cwd=stack.ROOT, capture_output=True, text=True,
                          timeout=args.time_cap + 120)
    seconds = time.monotonic() - started
    if done.returncode != 0 or not figures.exists():
        raise RuntimeError(f"locust exited with {done.returncode}:\n{done.stdout[-3000:]}\n"
                           f"{done.stderr[-3000:]}")
    return json.loads(figures.read_text()), seconds, done.stdout + done.stderr


def _fingerprint() -> str:
    """What the kept seed depends on: migrations, the demo, the static files, the lock."""
    import hashlib

    digest = hashlib.sha256()
    root = stack.ROOT
    files = [root / "requirements.lock"]
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED)
        here = Path(folder)
        if "static" in here.parts or here.name == "migrations":
            files += [here / n for n in names]
        files += [here / n for n in names if n == "demo.py"]
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _seed_url(database_url: str) -> str:
    """The kept seed's database, on the server of `database_url`: one for every run (the
    test's runs too), whatever their own database is called."""
    return stack._on_server(database_url, SEED_DATABASE)


def _copy_database(source_url: str, target_url: str) -> None:
    import psycopg
    from psycopg import sql

    admin, target = stack._admin_url(target_url)
    source = stack._admin_url(source_url)[1]
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(target)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(target), sql.Identifier(source)))


def kept_seed(database_url: str, log) -> Path:
    """The demo, seeded once per fingerprint and kept: a database (`<name>_seed`, copied for
    each run), the bucket's objects, the search index and the collected static files. Seeding
    takes minutes on a loaded machine; a run then starts in seconds."""
    import shutil

    keep = Path(tempfile.gettempdir()) / "booke-bench-load-seed"
    marker = keep / f"seeded-{_fingerprint()}"
    if marker.exists():
        return keep
    shutil.rmtree(keep, ignore_errors=True)
    keep.mkdir(parents=True)
    seed_url = _seed_url(database_url)
    log("  seeding the demo once (kept for the next runs)…")
    stack.ensure_database(seed_url, fresh=True)
    with stack.s3_endpoint() as s3:
        env = {**s3.env, "DATABASE_URL": seed_url}
        stack.migrate(env)
        stack.manage(env, "seed_demo", "--quiet")
        stack.collectstatic(env)
        for key in s3.keys():
            target = keep / "bucket" / key
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.client.download_file(s3.bucket, key, str(target))
    state = stack.state_dir()
    if (state / "shared" / "whoosh").exists():
        shutil.copytree(state / "shared" / "whoosh", keep / "whoosh")
    shutil.copytree(state / "var" / "static", keep / "static")
    marker.touch()
    return keep


def restore(keep: Path, database_url: str, redis_url: str) -> None:
    """This run's database, search index and static files from the kept seed; stale tasks
    and cache entries of an earlier run gone."""
    import shutil

    _copy_database(_seed_url(database_url), database_url)
    stack.flush_redis(redis_url)
    state = stack.state_dir()
    shutil.rmtree(state / "shared" / "whoosh", ignore_errors=True)
    if (keep / "whoosh").exists():
        shutil.copytree(keep / "whoosh", state / "shared" / "whoosh")
    if not (state / "var" / "static").exists():
        shutil.copytree(keep / "static", state / "var" / "static")


def fill_bucket(keep: Path, s3: stack.S3Endpoint) -> None:
    root = keep / "bucket"
    for path in root.rglob("*"):
        if path.is_file():
            s3.client.upload_file(str(path), s3.bucket, str(path.relative_to(root)))


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--requests", type=int, default=3000,
                        help="the run stops once this many requests are answered")
    parser.add_argument("--proofs", type=int, default=500)
    parser.add_argument("--time-cap", type=float, default=900, help="seconds, at most")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args(argv)

    log = print
    for problem in (stack.postgres_problem(args.database_url),
                    stack.redis_problem(args.redis_url)):
        if problem:
            raise RuntimeError(problem)
    keep = kept_seed(args.database_url, log)
    restore(keep, args.database_url, args.redis_url)
    with stack.prod_local(args.database_url, args.redis_url, seed=False,
                          web_workers=args.web_workers, task_workers=args.task_workers,
                          # gunicorn.conf.py's recycling off: see the module's docstring.
                          extra_env={"GUNICORN_CMD_ARGS": "--max-requests 0"},
                          log=log) as prod:
        fill_bucket(keep, prod.s3)
        log(f"  a session of {args.proofs} proofs for {CLIENT_EMAIL}…")
        out = stack.manage(prod.env, "shell", "-c",
                           f"from bench.load import prepare; prepare({args.proofs})")
        data = json.loads(out.stdout.strip().splitlines()[-1])
        with tempfile.TemporaryDirectory(prefix="booke-bench-load-") as tmp:
            # Not counted: every worker imports and fills its caches on first use, which is
            # not growth; the same users reach both gunicorn workers.
            warm_up = max(50, args.requests // 10)
            log(f"  warm-up: locust, {args.users} users, {warm_up} requests…")
            warm, _, _ = run_locust(prod.site.url, data, args, Path(tmp) / "warm", warm_up)
            for f in warm["failures"]:
                print(f"  warm-up ERROR {f['method']} {f['name']}: {f['error']} "
                      f"×{f['occurrences']}")
            pids = stack_pids(prod.site, prod.cluster)
            before = rss(pids)
            log(f"  locust: {args.users} users, {args.requests} requests…")
            figures, seconds, locust_log = run_locust(prod.site.url, data, args, Path(tmp),
                                                      args.requests)
        after = rss(pids)
    return report(args, figures, pids, before, after, seconds, locust_log)


def report(args, figures: dict, pids: dict[int, str], before: dict[int, int],
           after: dict[int, int], seconds: float, locust_log: str) -> int:
    total = figures["all"]
    requests, errors, rate = total["requests"], total["errors"], total["rate"]
    print(f"locust {args.users} users (spawn {args.spawn_rate}/s), {args.proofs}-proof gallery, "
          f"gunicorn {args.web_workers} workers, qcluster {args.task_workers} workers, "
          f"production settings, PostgreSQL, Redis, moto S3; loopback")
    print(f"  {'page':<28}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for name, s in sorted(figures["pages"].items()):
        print(f"  {name:<28}{s['requests']:>9}{s['errors']:>8}{s['p50']:>9.0f}{s['p95']:>9.0f}")
    print(f"  {'all':<28}{requests:>9}{errors:>8}{total['p50']:>9.0f}{total['p95']:>9.0f}")
    for f in figures["failures"]:
        print(f"  ERROR {f['method']} {f['name']}: {f['error']} ×{f['occurrences']}")
    if errors and not figures["failures"]:
        print(locust_log[-2000:])
    print(f"  throughput {rate:.1f} req/s ({requests} requests, locust ran {seconds:.0f} s)")
    print(f"  {'process':<28}{'RSS start MiB':>14}{'end MiB':>9}{'growth':>9}")
    worst = 0.0
    gone = []
    for pid, name in pids.items():
        start, end = before[pid], after[pid]
        if not start or not end:
            gone.append(name)
            continue
        growth = (end - start) / start
        worst = max(worst, growth)
        print(f"  {name:<28}{start / 1024:>14.1f}{end / 1024:>9.1f}{growth * 100:>8.1f}%")
    ok = errors == 0 and not gone and worst <= RSS_GROWTH_LIMIT and requests >= args.requests
    print(("OK" if ok else "FAILED") + f": {requests} requests, {errors} errors, "
          f"{rate:.1f} req/s, p95 {total['p95']:.0f} ms, largest RSS growth {worst * 100:.1f} % "
          f"(limit {RSS_GROWTH_LIMIT * 100:.0f} %)"
          + (f", processes gone: {', '.join(gone)}" if gone else ""))
    return 0 if ok else 1
