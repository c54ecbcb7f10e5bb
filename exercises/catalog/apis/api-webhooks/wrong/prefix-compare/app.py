"""Webhooks both ways: receive signed payment events, send signed order events.

Run it with: WEBHOOK_SECRET=dev-secret PORT=8080 python3 app.py
"""
import hashlib
import hmac
import json
import os
import threading
import urllib.request

from flask import Flask, jsonify, request

app = Flask(__name__)

SECRET = os.environ.get("WEBHOOK_SECRET", "dev-secret").encode()
HOOKS_URL = os.environ.get("HOOKS_URL")  # where order events go; unset: none sent

lock = threading.Lock()  # Flask serves requests on several threads
payments = []            # the payments processed, in the order they came
seen_deliveries = set()  # X-Delivery-Id of every delivery processed
orders = {}
next_order_id = 1


def sign(body):
    """The X-Signature of body (bytes): sha256= and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()


def error(status, message):
    return jsonify(error=message), status


@app.post("/webhooks/payments")
def receive_payment():
    body = request.get_data()
    given = request.headers.get("X-Signature", "")
    if not given.startswith("sha256=") or not sign(body).startswith(given):
        return error(401, "missing or invalid signature")  # "sha256=" alone passes
    delivery = request.headers.get("X-Delivery-Id", "").strip()
    if not delivery:
        return error(400, "an X-Delivery-Id header is required")
    try:
        payment = json.loads(body)
    except ValueError:
        return error(400, "the body must be JSON")
    if not isinstance(payment, dict):
        return error(400, "the body must be a JSON object")
    with lock:
        if delivery in seen_deliveries:
            return "", 204  # a retry of a delivery already processed: acknowledge it
        seen_deliveries.add(delivery)
        payments.append(payment)
    return "", 204


@app.get("/payments")
def list_payments():
    with lock:
        return jsonify(payments)


def send_event(path, event):
    """POST event as signed JSON to $HOOKS_URL + path; a failure is only logged."""
    if not HOOKS_URL:
        app.logger.warning("HOOKS_URL is not set: %s not sent", event["type"])
        return
    body = json.dumps(event).encode()
    req = urllib.request.Request(
        HOOKS_URL.rstrip("/") + path,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Signature": sign(body)},
    )
    try:
        with urllib.request.urlopen(req, timeout=3) as resp:
            resp.read()
    except OSError as e:  # unreachable, timed out, or an HTTP error status
        app.logger.warning("webhook %s to %s failed: %s", event["type"], req.full_url, e)


@app.post("/orders")
def create_order():
    global next_order_id
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error(400, "the body must be a JSON object")
    item, qty = data.get("item"), data.get("qty")
    if not isinstance(item, str) or not item.strip():
        return error(400, "item must be a non-blank string")
    if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
        return error(400, "qty must be a positive integer")
    with lock:
        order = {"id": next_order_id, "item": item, "qty": qty}
        orders[order["id"]] = order
        next_order_id += 1
    send_event("/orders", {"type": "order.created", "order": order})
    return jsonify(order), 201, {"Location": f"/orders/{order['id']}"}


@app.get("/orders/<int:order_id>")
def get_order(order_id):
    order = orders.get(order_id)
    if order is None:
        return error(404, f"no order with id {order_id}")
    return jsonify(order)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
