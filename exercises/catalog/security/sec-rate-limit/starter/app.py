"""The login service. Run it with: PORT=8080 python3 app.py"""
import os
import secrets

from flask import Flask, jsonify, request
from werkzeug.security import check_password_hash

from users import USERS

app = Flask(__name__)

# Checked when the username does not exist, so that an unknown user takes as
# long to refuse as a wrong password (the timing does not reveal who exists).
DUMMY_HASH = "pbkdf2:sha256:20000$grader$" + "0" * 64


def error(status, message, headers=None):
    return jsonify(error=message), status, headers or {}


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

    ok = check_password_hash(USERS.get(username, DUMMY_HASH), password)
    if not ok or username not in USERS:
        return error(401, "wrong username or password")
    return jsonify(username=username, token=secrets.token_urlsafe(32))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
