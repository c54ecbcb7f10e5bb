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

# TODO read where the inventory service is from $INVENTORY_URL.

lock = threading.Lock()
orders = {}
next_id = 1


def error(status, message):
    return jsonify(error=message), status


@app.post("/orders")
def create_order():
    # TODO validate {"sku", "qty"} (400), reserve the stock with the inventory's
    #      POST /reserve, then store the order and answer 201 with a Location.
    #      Inventory says 409: 409. Inventory 404: 422. Inventory down, slow or
    #      failing (5xx): 503. Every error is JSON: {"error": "..."}.
    return error(501, "not implemented yet")


@app.get("/orders/<int:order_id>")
def get_order(order_id):
    order = orders.get(order_id)
    if order is None:
        return error(404, f"no order with id {order_id}")
    return jsonify(order)


@app.get("/orders/stock/<sku>")
def get_stock(sku):
    # TODO ask the inventory's GET /stock/<sku> and answer {"sku", "available"}:
    #      404 for an unknown sku, 503 when the inventory cannot answer.
    return error(501, "not implemented yet")


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
