import os

import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)

# grader gives the server the address of its own database in $DATABASE_URL.
DATABASE_URL = os.environ["DATABASE_URL"]


def credentials():
    """The username and password of a JSON body, or None when either is missing."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return None
    return username, password


@app.post("/register")
def register():
    creds = credentials()
    if creds is None:
        return jsonify(error="send a JSON object with a username and a password"), 400
    username, password = creds
    with psycopg.connect(DATABASE_URL) as conn:
        try:
            conn.execute("INSERT INTO users (username, password) VALUES (%s, %s)", (username, password))
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
        row = conn.execute("SELECT password FROM users WHERE username = %s", (username,)).fetchone()
    if row is None or row[0] != password:
        return jsonify(error="wrong username or password"), 401
    return jsonify(user=username)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
