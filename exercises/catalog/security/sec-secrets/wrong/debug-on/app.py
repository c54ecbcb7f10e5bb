"""The payments service of a small shop.

Run it with its secrets in the environment:
    APP_SECRET_KEY=... PAYMENT_API_KEY=... PORT=8080 python3 app.py
"""
import hashlib
import hmac
import itertools
import os
import sys
import threading

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


def required_env(name):
    """The value of an environment variable the service cannot run without."""
    value = os.environ.get(name, "")
    if not value:
        # Fail fast, at start-up, with a message that says what to do (and no value).
        sys.exit(f"error: the environment variable {name} is not set; set it before starting app.py")
    return value


# The key the shop's checkout sends in X-Api-Key to create and read payments.
PAYMENT_API_KEY = required_env("PAYMENT_API_KEY")
# Signs every receipt, so that the shop can prove a receipt came from us.
APP_SECRET_KEY = required_env("APP_SECRET_KEY")

app = Flask(__name__)

payments = {}  # id -> payment
next_id = itertools.count(1)
lock = threading.Lock()


def sign(order_id, amount_cents, currency):
    """The receipt: HMAC-SHA256 of "order_id:amount_cents:currency", in hex."""
    message = f"{order_id}:{amount_cents}:{currency}".encode()
    return hmac.new(APP_SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def authorized():
    return hmac.compare_digest(request.headers.get("X-Api-Key", ""), PAYMENT_API_KEY)


@app.errorhandler(HTTPException)
def http_error(e):
    """404, 405, a body that is not JSON (400)...: the status and its name, nothing more."""
    return jsonify(error=e.name.lower()), e.code


@app.errorhandler(Exception)
def internal_error(e):
    """Any other exception is a bug: the details go to the server's log, never to the client."""
    app.logger.exception("unhandled exception on %s %s", request.method, request.path)
    return jsonify(error="internal error"), 500


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.post("/payments")
def create_payment():
    if not authorized():
        return jsonify(error="a valid X-Api-Key is required"), 401
    data = request.get_json()
    order_id = str(data["order_id"])
    amount_cents = int(data["amount_cents"])
    currency = str(data.get("currency", "EUR"))
    with lock:
        payment = {"id": next(next_id), "order_id": order_id, "amount_cents": amount_cents,
                   "currency": currency, "receipt": sign(order_id, amount_cents, currency)}
        payments[payment["id"]] = payment
    return jsonify(payment), 201


@app.get("/payments/<int:payment_id>")
def get_payment(payment_id):
    if not authorized():
        return jsonify(error="a valid X-Api-Key is required"), 401
    payment = payments.get(payment_id)
    if payment is None:
        return jsonify(error="no such payment"), 404
    return jsonify(payment)


@app.get("/payments/<int:payment_id>/split")
def split_payment(payment_id):
    """How much each of ?parts=N instalments is. (Leave its bugs: the checks use them.)"""
    if not authorized():
        return jsonify(error="a valid X-Api-Key is required"), 401
    payment = payments.get(payment_id)
    if payment is None:
        return jsonify(error="no such payment"), 404
    parts = int(request.args.get("parts"))
    return jsonify(parts=parts, each_cents=payment["amount_cents"] // parts,
                   remainder_cents=payment["amount_cents"] % parts)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)), debug=True)
