"""An API with logins, bearer tokens and API keys. Run it with: PORT=8080 python3 app.py"""
import hmac
import os
import secrets

from flask import Flask, jsonify, request

from users import API_KEYS, USERS

app = Flask(__name__)

# token -> username, for every token that is currently valid
tokens = {}

REPORTS = [
    {"month": "2026-01", "orders": 412, "revenue": 18250.0},
    {"month": "2026-02", "orders": 388, "revenue": 17020.5},
]


def error(status, message, headers=None):
    return jsonify(error=message), status, headers or {}


def unauthorized(message):
    """401: who are you? The header tells the client which scheme to use."""
    return error(401, message)


def bearer_token():
    """The token of an "Authorization: Bearer <token>" header, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_user():
    """(token, username) when the request carries a valid token, else (token or None, None)."""
    token = bearer_token()
    return token, tokens.get(token)  # a lookup: only tokens we issued count


@app.errorhandler(404)
def not_found(e):
    return error(404, "not found")


@app.errorhandler(405)
def method_not_allowed(e):
    return error(405, "method not allowed")


@app.post("/login")
def login():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("username"), str) \
            or not isinstance(data.get("password"), str):
        return error(400, "send a JSON object with a username and a password")
    user = USERS.get(data["username"])
    # compare_digest takes as long for every wrong password (no timing leak)
    if user is None or not hmac.compare_digest(user["password"].encode(), data["password"].encode()):
        return error(401, "wrong username or password")
    token = secrets.token_urlsafe(32)
    tokens[token] = data["username"]
    return jsonify(token=token)


@app.get("/me")
def me():
    _, username = current_user()
    if username is None:
        return unauthorized("a valid bearer token is required")
    user = USERS[username]
    return jsonify(username=username, name=user["name"], role=user["role"])


@app.get("/admin/stats")
def admin_stats():
    _, username = current_user()
    if username is None:
        return unauthorized("a valid bearer token is required")
    if USERS[username]["role"] != "admin":
        return error(403, "admins only")  # we know who you are: you may not
    return jsonify(users=len(USERS), active_tokens=len(tokens))


@app.post("/logout")
def logout():
    token, username = current_user()
    if username is None:
        return unauthorized("a valid bearer token is required")
    del tokens[token]
    return "", 204


@app.get("/reports")
def reports():
    key = request.headers.get("X-Api-Key", "")
    client = API_KEYS.get(key)
    if client is None:
        return error(401, "a valid X-Api-Key header is required")
    return jsonify(client=client, reports=REPORTS)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
