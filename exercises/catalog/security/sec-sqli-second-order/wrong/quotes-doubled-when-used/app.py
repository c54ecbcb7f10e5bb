import os
import secrets

import bcrypt
import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)

# grader gives the server the address of its own database in $DATABASE_URL.
DATABASE_URL = os.environ["DATABASE_URL"]

# token -> user id, for the sessions of this process.
SESSIONS = {}


def credentials():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return None
    return username, password


def current_username(conn):
    """The username of the request's bearer token, read from the database, or None."""
    auth = request.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    user_id = SESSIONS.get(token) if scheme == "Bearer" else None
    if user_id is None:
        return None
    row = conn.execute("SELECT username FROM users WHERE id = %s", (user_id,)).fetchone()
    return row[0] if row else None


@app.post("/register")
def register():
    creds = credentials()
    if creds is None:
        return jsonify(error="send a JSON object with a username and a password"), 400
    username, password = creds
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10)).decode()
    with psycopg.connect(DATABASE_URL) as conn:
        try:
            conn.execute("INSERT INTO users (username, password_hash) VALUES (%s, %s)", (username, hashed))
        except psycopg.errors.UniqueViolation:
            return jsonify(error="that username is taken"), 409
    return jsonify(user=username), 201


@app.post("/login")
def login():
    creds = credentials()
    if creds is None:
        return jsonify(error="send a JSON object with a username and a password"), 400
    username, password = creds
    with psycopg.connect(DATABASE_URL) as conn:
        row = conn.execute("SELECT id, password_hash FROM users WHERE username = %s", (username,)).fetchone()
    if row is None or not bcrypt.checkpw(password.encode(), row[1].encode()):
        return jsonify(error="wrong username or password"), 401
    token = secrets.token_urlsafe(24)
    SESSIONS[token] = row[0]
    return jsonify(token=token)


@app.get("/orders")
def orders():
    with psycopg.connect(DATABASE_URL) as conn:
        username = current_username(conn)
        if username is None:
            return jsonify(error="log in first"), 401
        username = username.replace("'", "''")
        # The username came from our own database, so it is safe to use... or is it?
        rows = conn.execute(
            f"SELECT item, total FROM orders WHERE customer = '{username}' ORDER BY id"
        ).fetchall()
    return jsonify([{"item": item, "total": f"{total:.2f}"} for item, total in rows])


@app.get("/orders/summary")
def summary():
    with psycopg.connect(DATABASE_URL) as conn:
        username = current_username(conn)
        if username is None:
            return jsonify(error="log in first"), 401
        username = username.replace("'", "''")
        count, total = conn.execute(
            f"SELECT count(*), coalesce(sum(total), 0) FROM orders WHERE customer = '{username}'"
        ).fetchone()
    return jsonify(count=count, total=f"{total:.2f}")


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
