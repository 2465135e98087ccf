"""The users of `python -m bench load` (bench/load.py), run by locust in a process of its own:
no Django here. BENCH_LOAD_CONFIG names the JSON bench/load.py wrote: the gallery's session
and photos, the pages' addresses, the client's login, the number of requests to stop at."""

from __future__ import annotations

import itertools
import json
import os
import random
import re

import gevent
from locust import HttpUser, between, events, task

CONFIG = json.loads(open(os.environ["BENCH_LOAD_CONFIG"]).read())
PAGE_SIZE = 60  # booker.proofing.selectors.PAGE_SIZE, without importing Django
_answered = itertools.count(1)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.request.add_listener
def _stop_after_the_requests(context=None, **kwargs) -> None:
    """A fixed number of requests, whatever the users are in the middle of."""
    if next(_answered) == CONFIG["requests"]:
        gevent.spawn(_environment.runner.quit)


_environment = None


@events.init.add_listener
def _keep(environment, **kwargs) -> None:
    global _environment
    _environment = environment


@events.quitting.add_listener
def _write_stats(environment, **kwargs) -> None:
    """The figures as they are once every user has stopped (locust's CSV files are written
    every second, so the last requests may miss them): per name, and all together."""

    def entry(stats) -> dict:
        return {"requests": stats.num_requests, "errors": stats.num_failures,
                "p50": stats.get_response_time_percentile(0.5),
                "p95": stats.get_response_time_percentile(0.95)}

    stats = environment.stats
    total = stats.total
    seconds = max(total.last_request_timestamp - total.start_time, 1e-9)
    with open(os.environ["BENCH_LOAD_OUT"], "w") as out:
        json.dump({
            "pages": {name: entry(s) for (name, _method), s in stats.entries.items()},
            "all": {**entry(total), "rate": total.num_requests / seconds},
            "failures": [{"method": e.method, "name": e.name, "error": str(e.error),
                          "occurrences": e.occurrences} for e in stats.errors.values()],
        }, out)


def _check(response, *, status: int = 200, contains: str = "") -> None:
    """A wrong status, or a page without what shows it is the page asked for, is an error."""
    if response.status_code != status:
        response.failure(f"status {response.status_code}, expected {status}")
    elif contains and contains not in response.text:
        response.failure(f"no {contains!r} in the page")
    else:
        response.success()


class Visitor(HttpUser):
    """Someone who found the studio: the public pages, none signed in (the page cache)."""

    weight = 1
    wait_time = between(0.2, 1.0)

    @task
    def browse(self) -> None:
        for name, path in (("home", "/"), ("blog post", CONFIG["blog_post"]),
                           ("portfolio gallery", CONFIG["gallery"]),
                           ("catalogue", "/shop/catalogue/"), ("product", CONFIG["product"])):
            with self.client.get(path, name=name, catch_response=True) as answer:
                _check(answer)


class Client(HttpUser):
    """The demo client: their gallery of N proofs, picks, a print in the basket, the checkout
    up to the order's preview (paid at the studio: no Stripe)."""

    weight = 1
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.client.get("/accounts/login/", name="login page")
        with self.client.post(
            "/accounts/login/", name="login",
            data={"username": CONFIG["email"], "password": CONFIG["password"],
                  "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
            headers={"Referer": f"{self.host}/accounts/login/"},
            allow_redirects=False, catch_response=True,
        ) as answer:
            _check(answer, status=302)

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    @task
    def journey(self) -> None:
        session = CONFIG["session"]
        rushes = CONFIG["rushes"]
        base = f"/portal/sessions/{session}/"
        with self.client.get(base, name="gallery page", catch_response=True) as answer:
            _check(answer, contains=f"photo-{rushes[0]}")
        pages = max(1, -(-len(rushes) // PAGE_SIZE))
        for page in random.sample(range(2, pages + 1), min(2, pages - 1)):
            with self.client.get(f"{base}photos/?page={page}", name="gallery next cards",
                                 catch_response=True) as answer:
                _check(answer, contains="photo-")
        rush = random.choice(rushes)
        # The thumbnail's view answers with a signed redirect to the bucket (moto).
        with self.client.get(f"/portal/photos/{rush}/thumb.jpg", name="thumbnail (via S3)",
                             catch_response=True) as answer:
            _check(answer)
        for wanted in ("1", "0"):
            with self.client.post(
                f"{base}pick/", name="pick" if wanted == "1" else "unpick",
                data={"rush": rush, "picked": wanted, "summary": "1",
                      "csrfmiddlewaretoken": self._csrf()},
                headers={"Accept": "application/json", "X-CSRFToken": self._csrf(),
                         "Referer": f"{self.host}{base}"},
                catch_response=True,
            ) as answer:
                _check(answer, contains='"picked": ' + ("true" if wanted == "1" else "false"))
        self.shop()

    def shop(self) -> None:
        referer = {"Referer": f"{self.host}{CONFIG['product']}"}
        self.client.get(CONFIG["product"], name="product")
        with self.client.post(f"/shop/basket/add/{CONFIG['product_pk']}/", name="basket add",
                              data={"quantity": 1, "csrfmiddlewaretoken": self._csrf()},
                              headers=referer, allow_redirects=False,
                              catch_response=True) as answer:
            _check(answer, status=302)
        self.client.get("/shop/basket/", name="basket")
        self.client.get("/shop/checkout/", name="checkout")
        with self.client.get("/shop/checkout/shipping-address/", name="shipping address",
                             catch_response=True) as answer:
            _check(answer)
        # Collected at the studio (the demo also posts prints): chosen on the address page,
        # no address typed, straight on to the payment.
        with self.client.post(
            "/shop/checkout/retrait/", name="pickup at the studio",
            data={"csrfmiddlewaretoken": self._csrf()},
            headers={"Referer": f"{self.host}/shop/checkout/shipping-address/"},
            allow_redirects=False, catch_response=True,
        ) as answer:
            _check(answer, status=302)
        with self.client.get("/shop/checkout/payment-method/", name="payment method",
                             catch_response=True) as answer:
            _check(answer, contains='value="studio"')
        with self.client.post(
            "/shop/checkout/payment-method/", name="payment method post",
            data={"method": "studio", "csrfmiddlewaretoken": self._csrf()},
            headers={"Referer": f"{self.host}/shop/checkout/payment-method/"},
            allow_redirects=False, catch_response=True,
        ) as answer:
            _check(answer, status=302)
        with self.client.get("/shop/checkout/preview/", name="order preview",
                             catch_response=True) as answer:
            _check(answer, contains="place-order")
