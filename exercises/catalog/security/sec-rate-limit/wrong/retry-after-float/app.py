"""The login service. Run it with: PORT=8080 python3 app.py"""
import math
import os
import secrets
import threading
import time

from flask import Flask, jsonify, request
from werkzeug.security import check_password_hash

from users import USERS

app = Flask(__name__)

# Checked when the username does not exist, so that an unknown user takes as
# long to refuse as a wrong password (the timing does not reveal who exists).
DUMMY_HASH = "pbkdf2:sha256:20000$grader$" + "0" * 64

MAX_FAILURES = 5  # failed logins allowed per username...
WINDOW = 60       # ...within this many seconds

# username -> monotonic times of its failed logins in the last WINDOW seconds.
# Keyed by the username the client sent, existing or not, and by nothing the
# client could change between attempts (not its address, not a header).
failures = {}
failures_lock = threading.Lock()  # the development server runs requests in threads


def error(status, message, headers=None):
    return jsonify(error=message), status, headers or {}


def seconds_locked(username, now):
    """How long username must wait before it may try again (0: it may try now)."""
    recent = [t for t in failures.get(username, []) if now - t < WINDOW]
    if recent:
        failures[username] = recent
    else:
        failures.pop(username, None)
    if len(recent) < MAX_FAILURES:
        return 0
    # The oldest failure leaves the window first; then one more try is allowed.
    return round(recent[0] + WINDOW - now, 1)


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
    username, password = data["username"], data["password"]

    # Before the password is even looked at: a locked username gets 429 with
    # the right password too, or a brute force would still find it.
    with failures_lock:
        wait = seconds_locked(username, time.monotonic())
    if wait:
        return error(429, f"too many failed logins for this username: try again in {wait} seconds",
                     {"Retry-After": str(wait)})

    ok = check_password_hash(USERS.get(username, DUMMY_HASH), password)
    with failures_lock:
        if ok and username in USERS:
            failures.pop(username, None)  # a successful login starts the count again
        else:
            failures.setdefault(username, []).append(time.monotonic())
    if not ok or username not in USERS:
        return error(401, "wrong username or password")
    return jsonify(username=username, token=secrets.token_urlsafe(32))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
