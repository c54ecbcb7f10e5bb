"""An API with logins, bearer tokens and API keys. Run it with: PORT=8080 python3 app.py"""
import os

from flask import Flask, jsonify, request

from users import API_KEYS, USERS

app = Flask(__name__)

# token -> username, for every token that is currently valid
tokens = {}


# TODO POST /login {"username", "password"}: 200 {"token": ...}, or 401.
# TODO GET /me: needs "Authorization: Bearer <token>"; 401 with
#      "WWW-Authenticate: Bearer" when the token is missing or not valid.
# TODO GET /admin/stats: 403 for a user who is not an admin.
# TODO POST /logout: the token stops working.
# TODO GET /reports: needs an "X-Api-Key" header holding a key of API_KEYS.


@app.get("/me")
def me():
    return jsonify(error="not implemented yet"), 501


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
