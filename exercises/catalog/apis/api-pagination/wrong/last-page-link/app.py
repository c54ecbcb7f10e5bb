"""A product catalogue API over products.py. Run it with: PORT=8080 python3 app.py"""
import os
import re
from urllib.parse import urlencode

from flask import Flask, jsonify, request

from products import PRODUCTS

app = Flask(__name__)

DEFAULT_LIMIT = 10
MAX_LIMIT = 100

# ?sort= value -> (key, reverse)
SORTS = {
    "price": (lambda p: p["price"], False),
    "-price": (lambda p: p["price"], True),
    "name": (lambda p: p["name"], False),
}


def error(status, message):
    return jsonify(error=message), status


@app.errorhandler(404)
def not_found(e):
    return error(404, "not found")


def whole_number(name, default):
    """The query parameter as an int >= 0, its default when absent, None when invalid."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]+", raw):  # rejects "-1", "2.5", "ten" and ""
        return None
    return int(raw)


@app.get("/products")
def list_products():
    limit = whole_number("limit", DEFAULT_LIMIT)
    if limit is None or limit < 1:
        return error(400, "limit must be a whole number from 1 (at most 100 are returned)")
    limit = min(limit, MAX_LIMIT)
    offset = whole_number("offset", 0)
    if offset is None:
        return error(400, "offset must be a whole number, 0 or more")
    category = request.args.get("category")
    sort = request.args.get("sort")
    if sort is not None and sort not in SORTS:
        return error(400, f"sort must be one of {', '.join(SORTS)}")

    # Filter, then sort, then cut the page: in that order.
    items = [p for p in PRODUCTS if category is None or p["category"] == category]
    if sort is not None:
        key, reverse = SORTS[sort]
        items = sorted(items, key=key, reverse=reverse)
    page = items[offset:offset + limit]

    headers = {}
    if offset + limit <= len(items):
        params = {"limit": limit, "offset": offset + limit}
        if category is not None:
            params["category"] = category
        if sort is not None:
            params["sort"] = sort
        headers["Link"] = f'</products?{urlencode(params)}>; rel="next"'
    body = {"items": page, "total": len(items), "limit": limit, "offset": offset}
    return jsonify(body), 200, headers


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
