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
orders = {}
next_order_id = 1


def sign(body):
    """The X-Signature of body (bytes): "sha256=" and the hex HMAC-SHA256."""
    # TODO hmac.new(SECRET, body, hashlib.sha256)
    raise NotImplementedError


def error(status, message):
    return jsonify(error=message), status


@app.post("/webhooks/payments")
def receive_payment():
    # TODO verify X-Signature against the raw body (401 when it does not match),
    #      require X-Delivery-Id (400), process each delivery once (204),
    #      and append the payment (the JSON body) to payments.
    return error(501, "not implemented yet")


@app.get("/payments")
def list_payments():
    with lock:
        return jsonify(payments)


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
    # TODO send {"type": "order.created", "order": order} to $HOOKS_URL/orders,
    #      signed with sign(), before answering.
    return jsonify(order), 201, {"Location": f"/orders/{order['id']}"}


@app.get("/orders/<int:order_id>")
def get_order(order_id):
    order = orders.get(order_id)
    if order is None:
        return error(404, f"no order with id {order_id}")
    return jsonify(order)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
