"""The orders service. It owns orders; the inventory service owns the stock.

Run it with: INVENTORY_URL=http://localhost:8081 PORT=8080 python3 orders.py
(and the inventory beside it: PORT=8081 python3 inventory.py)
"""
import os
import threading
from urllib.parse import quote

import requests
from flask import Flask, jsonify, request

app = Flask(__name__)

# Where the inventory service is: grader sets it (http://inventory:8081, another
# container), so it is read from the environment, never written here.
INVENTORY_URL = "http://localhost:8081"
TIMEOUT = 2  # seconds: a slow inventory must not make our clients wait for ever

lock = threading.Lock()
orders = {}
next_id = 1


def error(status, message):
    return jsonify(error=message), status


def call_inventory(method, path, **kwargs):
    """Call the inventory; its answer, or None when it could not answer."""
    try:
        return requests.request(method, INVENTORY_URL + path, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as e:  # refused, unknown host, timed out
        app.logger.warning("inventory %s %s: %s", method, path, e)
        return None


def unavailable(resp):
    """True when the inventory could not give an answer we can use."""
    return resp is None or resp.status_code >= 500


@app.post("/orders")
def create_order():
    global next_id
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error(400, "the body must be a JSON object")
    sku, qty = data.get("sku"), data.get("qty")
    if not isinstance(sku, str) or not sku.strip():
        return error(400, "sku must be a non-blank string")
    if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
        return error(400, "qty must be a positive integer")

    resp = call_inventory("POST", "/reserve", json={"sku": sku, "qty": qty})
    if unavailable(resp):
        return error(503, "the inventory service is unavailable, try again later")
    if resp.status_code == 409:
        return error(409, f"not enough {sku} in stock")
    if resp.status_code == 404:
        return error(422, f"unknown sku {sku}")
    if resp.status_code != 200:
        return error(502, f"the inventory answered {resp.status_code}")

    with lock:
        order = {"id": next_id, "sku": sku, "qty": qty}
        orders[next_id] = order
        next_id += 1
    return jsonify(order), 201, {"Location": f"/orders/{order['id']}"}


@app.get("/orders/<int:order_id>")
def get_order(order_id):
    order = orders.get(order_id)
    if order is None:
        return error(404, f"no order with id {order_id}")
    return jsonify(order)


@app.get("/orders/stock/<sku>")
def get_stock(sku):
    resp = call_inventory("GET", "/stock/" + quote(sku, safe=""))
    if unavailable(resp):
        return error(503, "the inventory service is unavailable, try again later")
    if resp.status_code == 404:
        return error(404, f"unknown sku {sku}")
    if resp.status_code != 200:
        return error(502, f"the inventory answered {resp.status_code}")
    body = resp.json()
    return jsonify(sku=body["sku"], available=body["available"])


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
