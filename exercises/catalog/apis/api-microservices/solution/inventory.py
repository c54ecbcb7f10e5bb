"""The inventory service: how many of each item are in stock, and reservations.

It runs as its own program, in a container of its own:
    PORT=8081 python3 inventory.py
"""
import os
import threading
import time

from flask import Flask, jsonify, request

app = Flask(__name__)

lock = threading.Lock()  # two reservations at once must not both take the last item
stock = {
    "notebook": 5,
    "eraser": 3,
    "stapler": 2,
    "ruler": 10,
    "pencil": 7,
    "marker": 4,
    "broken": 100,
    "slow": 100,
}

# Faults on purpose, so orders can be tested against an inventory in trouble:
# any request about "broken" fails with a 500, any request about "slow" takes
# 10 seconds to answer. Leave them in.
BROKEN, SLOW = "broken", "slow"


def error(status, message):
    return jsonify(error=message), status


def fault(sku):
    """The answer for a faulty sku, or None."""
    if sku == SLOW:
        time.sleep(10)
    if sku == BROKEN:
        return error(500, "inventory failed (broken on purpose)")
    return None


@app.get("/stock/<sku>")
def get_stock(sku):
    if (bad := fault(sku)) is not None:
        return bad
    with lock:
        if sku not in stock:
            return error(404, f"unknown sku {sku}")
        return jsonify(sku=sku, available=stock[sku])


@app.post("/reserve")
def reserve():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error(400, "the body must be a JSON object")
    sku, qty = data.get("sku"), data.get("qty")
    if not isinstance(sku, str) or not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
        return error(400, "sku must be a string and qty a positive integer")
    if (bad := fault(sku)) is not None:
        return bad
    with lock:
        if sku not in stock:
            return error(404, f"unknown sku {sku}")
        if stock[sku] < qty:
            return error(409, f"not enough {sku}: {stock[sku]} available, {qty} asked")
        stock[sku] -= qty
        return jsonify(sku=sku, reserved=qty, available=stock[sku])


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8081)))
