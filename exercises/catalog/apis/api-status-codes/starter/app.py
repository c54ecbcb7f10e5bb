"""A user registration API, kept in memory. Run it with: PORT=8080 python3 app.py"""
import os

from flask import Flask, jsonify, request

app = Flask(__name__)

# id -> {"id": int, "email": str, "name": str, "age": int}
users = {}


@app.post("/users")
def create_user():
    # TODO 400 when the body is not a JSON object.
    # TODO 422 with {"errors": {field: message}} for every invalid field.
    # TODO 409 when the email is already registered (in any letter case).
    # TODO 201 with the new user and a Location header.
    return jsonify(error="not implemented yet"), 501


# TODO GET /users/<id>: 200 and the user, or 404 with a JSON error.
# TODO Every error is JSON, including 404 and 405 (with an Allow header).


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
