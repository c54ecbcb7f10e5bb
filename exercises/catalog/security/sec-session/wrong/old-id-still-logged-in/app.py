import os
import secrets

from flask import Flask, jsonify, request

app = Flask(__name__)

USERS = {"alice": "wonderland", "bob": "builder", "carol": "c4rol's-s3cret"}

# Server-side sessions: session id -> {"user": name or None, "cart": [...]}.
SESSIONS = {}


def session_id():
    """The id of the request's session, if it is one the server knows."""
    # From the cookie only: an id in a URL is one an attacker can hand out.
    sid = request.cookies.get("sid")
    return sid if sid in SESSIONS else None


def current_session():
    """The request's session, made on first use: (id, data, new)."""
    sid = session_id()
    if sid is None:
        sid = secrets.token_urlsafe(24)
        SESSIONS[sid] = {"user": None, "cart": []}
        return sid, SESSIONS[sid], True
    return sid, SESSIONS[sid], False


def answer(body, sid, status=200):
    resp = jsonify(body)
    resp.status_code = status
    resp.set_cookie("sid", sid, httponly=True, samesite="Lax")
    return resp


@app.get("/")
def home():
    sid, data, _ = current_session()
    return answer({"user": data["user"], "cart": data["cart"]}, sid)


@app.post("/cart")
def add_to_cart():
    sid, data, _ = current_session()
    body = request.get_json(silent=True) or {}
    item = body.get("item")
    if not isinstance(item, str) or not item:
        return answer({"error": "send {\"item\": NAME}"}, sid, 400)
    data["cart"].append(item)
    return answer({"cart": data["cart"]}, sid, 201)


@app.get("/cart")
def cart():
    sid, data, _ = current_session()
    return answer({"cart": data["cart"]}, sid)


@app.post("/login")
def login():
    sid, data, _ = current_session()
    body = request.get_json(silent=True) or {}
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or username not in USERS \
            or not secrets.compare_digest(USERS[username], password):
        return answer({"error": "wrong username or password"}, sid, 401)
    # A new id at login: whoever knew the old one (it was issued before
    # anyone logged in, maybe to an attacker) is not logged in with it.
    data["user"] = username
    new_sid = secrets.token_urlsafe(24)
    SESSIONS[new_sid] = {"user": username, "cart": data["cart"]}
    return answer({"user": username}, new_sid)


@app.get("/me")
def me():
    sid = session_id()
    user = SESSIONS[sid]["user"] if sid else None
    if user is None:
        return jsonify(error="log in first"), 401
    return jsonify(user=user)


@app.post("/logout")
def logout():
    sid = session_id()
    if sid is not None:
        del SESSIONS[sid]
    resp = jsonify(ok=True)
    resp.delete_cookie("sid")
    return resp


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
