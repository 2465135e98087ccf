"""A local stand-in for Stripe's API, good enough for the `stripe` library's real HTTP calls:
Checkout Sessions (create, retrieve, expire; an expired one cannot be paid), refunds of a
paid session's payment intent, idempotency keys; plus a fake hosted
payment page whose Pay button sends the browser to the session's success_url. Webhook events
are signed as Stripe signs them: `t=<timestamp>,v1=HMAC_SHA256(secret, "<t>.<payload>")`.

No internet: the tests set STRIPE_API_BASE to this server's address."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

SECRET_KEY = "sk_test_booke"
WEBHOOK_SECRET = "whsec_booke_test"


class FakeStripe:
    def __init__(self) -> None:
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict, dict]] = []
        self._replies: dict[tuple[str, str], tuple[int, dict]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.url = ""

    # --- lifecycle

    def __enter__(self) -> FakeStripe:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                fake._handle(self, "GET")

            def do_POST(self):  # noqa: N802
                fake._handle(self, "POST")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what tests do

    def pay(self, session_id: str) -> dict:
        """The customer paid on Stripe's page. As on Stripe, an expired session cannot be
        paid (ValueError)."""
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] != "open":
                raise ValueError(f"Session {session_id} is {session['status']}: not payable.")
            session.update(
                status="complete",
                payment_status="paid",
                payment_intent=f"pi_test_{next(self._ids)}",
            )
            return dict(session)

    def event(self, kind: str, session: dict, *, secret: str = WEBHOOK_SECRET,
              timestamp: int | None = None) -> tuple[bytes, str]:
        """A webhook delivery: the JSON body and its Stripe-Signature header."""
        payload = json.dumps(
            {
                "id": f"evt_test_{next(self._ids)}",
                "object": "event",
                "type": kind,
                "api_version": "2026-10-28.endive",
                "created": int(time.time()),
                "livemode": False,
                "data": {"object": session},
            }
        ).encode()
        return payload, sign(payload, secret, timestamp)

    def calls(self, method: str, path_prefix: str) -> list[tuple[str, str, dict, dict]]:
        return [r for r in self.requests if r[0] == method and r[1].startswith(path_prefix)]

    # --- the server side

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = urlsplit(handler.path).path
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        params = dict(parse_qsl(body, keep_blank_values=True))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append((method, path, params, headers))
            key = headers.get("idempotency-key")
            if method == "POST" and key and (path, key) in self._replies:
                status, reply = self._replies[(path, key)]
            elif path.startswith("/pay/"):
                return self._hosted_page(handler, method, path.removeprefix("/pay/"))
            else:
                status, reply = self._api(method, path, params)
                if method == "POST" and key:
                    self._replies[(path, key)] = (status, reply)
        data = json.dumps(reply).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Request-Id", f"req_test_{next(self._ids)}")
        handler.end_headers()
        handler.wfile.write(data)

    def _api(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, self._create_session(params)
        match = re.fullmatch(r"/v1/checkout/sessions/([^/]+)(/expire)?", path)
        if match and match.group(1) in self.sessions:
            session = self.sessions[match.group(1)]
            if method == "GET" and not match.group(2):
                return 200, dict(session)
            if method == "POST" and match.group(2):
                if session["status"] != "open":
                    return 400, _error("Only open sessions can be expired.")
                session["status"] = "expired"
                return 200, dict(session)
        if method == "POST" and path == "/v1/refunds":
            paid = next(
                (s for s in self.sessions.values()
                 if s["payment_intent"] == params.get("payment_intent")),
                None,
            )
            if paid is None:
                return 400, _error(f"No such payment_intent: {params.get('payment_intent')}")
            refund = {
                "id": f"re_test_{next(self._ids)}",
                "object": "refund",
                # Without an amount, Stripe refunds the whole payment.
                "amount": int(params.get("amount") or paid["amount_total"]),
                "currency": "eur",
                "payment_intent": params["payment_intent"],
                "status": "succeeded",
            }
            self.refunds[refund["id"]] = refund
            return 200, refund
        return 404, _error(f"No such resource: {method} {path}")

    def _create_session(self, params: dict) -> dict:
        amount = 0
        for name, value in params.items():
            found = re.fullmatch(r"line_items\[(\d+)\]\[price_data\]\[unit_amount\]", name)
            if found:
                amount += int(value) * int(params.get(f"line_items[{found.group(1)}][quantity]", 1))
        session_id = f"cs_test_{next(self._ids)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params.get("mode"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": amount,
            "currency": params.get("line_items[0][price_data][currency]", "eur"),
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": {
                k[len("metadata["):-1]: v for k, v in params.items() if k.startswith("metadata[")
            },
            "payment_intent": None,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "url": f"{self.url}/pay/{session_id}",
        }
        self.sessions[session_id] = session
        return dict(session)

    def _hosted_page(self, handler, method: str, session_id: str) -> None:
        session = self.sessions.get(session_id)
        if session is None:
            handler.send_response(404)
            handler.end_headers()
            return
        if method == "POST" and session["status"] != "open":
            page = b"<!doctype html><html><body><h1>Session expired</h1></body></html>"
            handler.send_response(410)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(page)))
            handler.end_headers()
            handler.wfile.write(page)
            return
        if method == "POST":
            session.update(
                status="complete",
                payment_status="paid",
                payment_intent=f"pi_test_{next(self._ids)}",
            )
            handler.send_response(303)
            handler.send_header(
                "Location", session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
            )
            handler.end_headers()
            return
        euros = f"{session['amount_total'] / 100:.2f}".replace(".", ",")
        page = (
            "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Stripe (test)"
            f"</title></head><body><h1>Paiement de {euros} €</h1>"
            f"<form method='post'><button type='submit'>Payer</button></form>"
            f"<a href='{session['cancel_url']}'>Annuler</a></body></html>"
        ).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(page)))
        handler.end_headers()
        handler.wfile.write(page)


def _error(message: str) -> dict:
    return {"error": {"type": "invalid_request_error", "message": message}}


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{t}.{payload.decode()}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={t},v1={digest}"
