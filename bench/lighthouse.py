"""Lighthouse on a phone, on the seven pages issue 20 names: home, a journal post, a gallery,
the catalogue, a product, the basket (one line in it) and the login page.

gunicorn with the production settings on loopback (bench.stack), SQLite and the demo content
seeded once and kept (next to the system's temporary files; --fresh starts over). Lighthouse
is the npm package pinned in bench/lighthouse/ (installed there with `npm ci` when missing),
driving Debian's Chromium (CHROME_PATH, /usr/bin/chromium by default): it never downloads a
browser. Its default form factor is a phone (Moto G Power, simulated slow 4G, 4× CPU
slowdown). Prints each page's four scores (performance, accessibility, best practices, SEO)
and the metrics behind performance; exits 1 when a score is under --goal.

Not in CI nor in the test suite: a run takes a few minutes and its performance scores follow
the machine's load.

    python -m bench lighthouse [--pages home,product,...] [--goal 90] [--runs 1]
        [--reports DIR] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from bench import stack

LIGHTHOUSE_DIR = Path(__file__).resolve().parent / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
HEADS = {"performance": "perf", "accessibility": "a11y", "best-practices": "b.p.", "seo": "SEO"}
PAGE_NAMES = ("home", "post", "gallery", "catalogue", "product", "basket", "login")
# The paths of the pages whose address depends on the demo's content, read from the database.
PATHS_CODE = """
from editorial.models import BlogPostPage, GalleryPage
from shop.catalogue.models import Product
post = BlogPostPage.objects.live().order_by("path").first()
gallery = GalleryPage.objects.live().order_by("path").first()
product = (Product.objects.filter(is_public=True, structure="standalone",
                                  stockrecords__isnull=False)
           .order_by("pk").first())
print("PATHS", post.url, gallery.url, product.get_absolute_url(), product.pk)
"""


def _prepare(fresh: bool, log) -> dict[str, str]:
    """A SQLite database, media and search index with the demo, seeded once and kept."""
    keep = Path(tempfile.gettempdir()) / "booke-bench-lighthouse"
    from bench.pages import _code_fingerprint

    seeded = keep / f"seeded-{_code_fingerprint()}"
    if fresh or not seeded.exists():
        shutil.rmtree(keep, ignore_errors=True)
    keep.mkdir(parents=True, exist_ok=True)
    env = {
        "DATABASE_URL": f"sqlite:///{keep / 'db.sqlite3'}",
        "MEDIA_ROOT": str(keep / "media"),
        "PRIVATE_MEDIA_ROOT": str(keep / "private"),
        "HAYSTACK_WHOOSH_PATH": str(keep / "whoosh"),
    }
    if not seeded.exists():
        log("  migrate, seed_demo… (once; --fresh to redo)")
        # Migrated here rather than copied from bench.stack's shared template, which every
        # checkout with other migrations rebuilds under one lock.
        stack.manage(env, "migrate", "--noinput", "-v0", timeout=1800)
        stack.manage(env, "seed_demo", "--quiet")
        seeded.touch()
    return env


def lighthouse_bin() -> Path:
    """The pinned Lighthouse, installed from bench/lighthouse/package-lock.json when missing."""
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if not shutil.which("npm"):
            raise RuntimeError("npm is missing (apt-get install npm)")
        # No browser download: Lighthouse drives the system's Chromium.
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=LIGHTHOUSE_DIR, check=True,
                       env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"})
    return binary


def basket_cookie(base_url: str, product_pk: int) -> str:
    """The cookie of an anonymous basket holding one line of the product."""
    import requests

    http = requests.Session()
    answer = http.post(f"{base_url}/shop/basket/add/{product_pk}/", data={"quantity": "1"},
                       allow_redirects=False, timeout=30)
    cookies = {c.name: c.value for c in http.cookies}
    if answer.status_code not in (301, 302) or not any("basket" in n for n in cookies):
        raise RuntimeError(f"adding product {product_pk} to a basket answered "
                           f"{answer.status_code}, cookies {sorted(cookies)}")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def audit(url: str, report: Path, cookie: str = "") -> dict:
    """One Lighthouse run (mobile, the four categories); the JSON report's result."""
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    cmd = [str(lighthouse_bin()), url, "--quiet", "--output=json", f"--output-path={report}",
           "--only-categories=" + ",".join(CATEGORIES), "--form-factor=mobile",
           # Root runs Chromium only without its sandbox; a fresh profile for every run.
           "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
    if cookie:
        cmd.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    for _ in range(3):
        report.unlink(missing_ok=True)
        result = subprocess.run(cmd, env={**os.environ, "CHROME_PATH": chrome},
                                capture_output=True, text=True, timeout=300)
        # Lighthouse sometimes misses the trace's start on a loaded machine (NO_NAVSTART): a
        # run of its own again is the advice it gives.
        if result.returncode == 0 and report.exists():
            break
    if result.returncode != 0 or not report.exists():
        raise RuntimeError(f"lighthouse {url} failed ({result.returncode}):\n"
                           f"{result.stderr[-2000:]}")
    return json.loads(report.read_text())


def scores(lhr: dict) -> dict[str, int]:
    return {c: round((lhr["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}


def metrics(lhr: dict) -> dict[str, str]:
    audits = lhr["audits"]
    # Lighthouse writes its values with no-break spaces ("1.2\xa0s"): plain ones for a table.
    return {
        "LCP": audits["largest-contentful-paint"]["displayValue"].replace("\xa0", " "),
        "TBT": audits["total-blocking-time"]["displayValue"].replace("\xa0", " "),
        "CLS": audits["cumulative-layout-shift"]["displayValue"].replace("\xa0", " "),
        "bytes": f"{audits['total-byte-weight']['numericValue'] / 1024:.0f} KiB",
    }


def failures(lhr: dict, category: str) -> list[str]:
    """The failed audits that weigh in a category, for a score under the goal."""
    refs = lhr["categories"][category]["auditRefs"]
    out = []
    for ref in refs:
        result = lhr["audits"][ref["id"]]
        if ref.get("weight") and result["score"] is not None and result["score"] < 0.9:
            out.append(f"{ref['id']} ({result['score']:.2f})")
    return out


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench lighthouse", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default=",".join(PAGE_NAMES),
                        help="which pages, comma-separated, among " + ", ".join(PAGE_NAMES))
    parser.add_argument("--goal", type=int, default=90, help="the least score of every category")
    parser.add_argument("--runs", type=int, default=1,
                        help="runs per page; the median performance run is kept")
    parser.add_argument("--reports", type=Path, help="keep the JSON reports in this folder")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fresh", action="store_true", help="seed the database again")
    args = parser.parse_args(argv)
    wanted = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = set(wanted) - set(PAGE_NAMES)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")

    lighthouse_bin()
    env = _prepare(args.fresh, print)
    out = stack.manage(env, "shell", "-c", PATHS_CODE).stdout
    post, gallery, product, product_pk = re.search(r"^PATHS (.+)$", out, re.M).group(1).split()
    paths = {"home": "/", "post": post, "gallery": gallery, "catalogue": "/shop/catalogue/",
             "product": product, "basket": "/shop/basket/", "login": "/accounts/login/"}
    reports = args.reports or Path(stack.state_dir()) / "lighthouse"
    reports.mkdir(parents=True, exist_ok=True)
    rows = []
    with stack.web(env, args.workers) as site:
        # localhost rather than 127.0.0.1: the name a person types, a secure context for Chrome.
        base = site.url.replace("127.0.0.1", "localhost")
        cookie = basket_cookie(site.url, int(product_pk)) if "basket" in wanted else ""
        for name in wanted:
            url = base + paths[name]
            runs = []
            for i in range(args.runs):
                report = reports / f"{name}-{i + 1}.json"
                runs.append(audit(url, report, cookie if name == "basket" else ""))
            runs.sort(key=lambda lhr: scores(lhr)["performance"])
            lhr = runs[len(runs) // 2]
            rows.append((name, paths[name], scores(lhr), metrics(lhr), lhr))
            print(f"  {name}: " + " ".join(f"{HEADS[c]} {s}" for c, s in scores(lhr).items()),
                  flush=True)

    version = rows[0][4]["lighthouseVersion"] if rows else "?"
    print(f"\nLighthouse {version}, mobile (simulated slow 4G, 4× CPU), Chromium "
          f"{_chromium_version()}, gunicorn {args.workers} workers, production settings, SQLite")
    heads = " | ".join(HEADS[c] for c in CATEGORIES)
    print(f"| page | path | {heads} | LCP | TBT | CLS | weight |")
    print("|" + " --- |" * (6 + len(CATEGORIES)))
    below = []
    for name, path, score, metric, lhr in rows:
        shown = urlsplit(path).path
        print(f"| {name} | `{shown}` | " + " | ".join(str(score[c]) for c in CATEGORIES)
              + f" | {metric['LCP']} | {metric['TBT']} | {metric['CLS']} | {metric['bytes']} |")
        for category in CATEGORIES:
            if score[category] < args.goal:
                below.append(f"{name} {category} {score[category]}: "
                             + ", ".join(failures(lhr, category)))
    print(f"reports: {reports}")
    for line in below:
        print("UNDER THE GOAL " + line)
    return 1 if below else 0


def _chromium_version() -> str:
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    try:
        out = subprocess.run([chrome, "--version"], capture_output=True, text=True, timeout=30)
        return out.stdout.split()[1] if out.stdout else "?"
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"
