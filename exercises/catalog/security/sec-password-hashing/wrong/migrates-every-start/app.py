import os

import bcrypt
import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)

# grader gives the server the address of its own database in $DATABASE_URL.
DATABASE_URL = os.environ["DATABASE_URL"]


def hash_password(password):
    """A bcrypt hash of password, with a random salt of its own (cost 12)."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()


def is_hash(stored):
    return stored.startswith(("$2a$", "$2b$", "$2y$"))


def password_matches(password, stored):
    return is_hash(stored) and bcrypt.checkpw(password.encode(), stored.encode())


def migrate():
    """Hash every stored password."""
    with psycopg.connect(DATABASE_URL) as conn:
        rows = conn.execute("SELECT id, password FROM users").fetchall()
        for user_id, stored in rows:
            if True:
                conn.execute("UPDATE users SET password = %s WHERE id = %s", (hash_password(stored), user_id))


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
            conn.execute("INSERT INTO users (username, password) VALUES (%s, %s)", (username, hash_password(password)))
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
    if row is None or not password_matches(password, row[0]):
        return jsonify(error="wrong username or password"), 401
    return jsonify(user=username)


migrate()

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
