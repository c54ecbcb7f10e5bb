"""A product catalogue API over products.py. Run it with: PORT=8080 python3 app.py"""
import os

from flask import Flask, jsonify, request

from products import PRODUCTS

app = Flask(__name__)


@app.get("/products")
def list_products():
    # TODO read limit (default 10, at most 100) and offset (default 0);
    #      answer 400 with a JSON {"error": ...} when one is not valid.
    # TODO filter by ?category=, sort by ?sort=price|-price|name,
    #      then take the page.
    # TODO answer {"items": [...], "total": N, "limit": L, "offset": O}
    #      with a Link header (rel="next") when more items follow.
    return jsonify(error="not implemented yet"), 501


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
