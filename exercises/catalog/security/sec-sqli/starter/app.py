import os

import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)

# grader gives the server the address of its own database in $DATABASE_URL.
# The driver is psycopg 3 (import psycopg): when a query is given parameters,
# it sends them to PostgreSQL apart from the SQL text (server-side binding).
DATABASE_URL = os.environ["DATABASE_URL"]


@app.post("/login")
def login():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="send a JSON object with a username and a password"), 400
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return jsonify(error="username and password must be strings"), 400
    with psycopg.connect(DATABASE_URL) as conn:
        row = conn.execute(
            f"SELECT username FROM users WHERE username = '{username}' AND password = '{password}'"
        ).fetchone()
    if row is None:
        return jsonify(error="wrong username or password"), 401
    return jsonify(user=row[0])


@app.get("/products")
def products():
    q = request.args.get("q", "")
    with psycopg.connect(DATABASE_URL) as conn:
        rows = conn.execute(
            f"SELECT name, price FROM products WHERE NOT hidden AND name ILIKE '%{q}%' ORDER BY name"
        ).fetchall()
    return jsonify([{"name": name, "price": f"{price:.2f}"} for name, price in rows])


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
