"""A user registration API, kept in memory. Run it with: PORT=8080 python3 app.py"""
import os

from flask import Flask, jsonify, request

app = Flask(__name__)

# id -> {"id": int, "email": str, "name": str, "age": int}
users = {}
next_id = 1


def error(status, message):
    return jsonify(error=message), status


@app.errorhandler(404)
def not_found(e):
    return error(404, "not found")


@app.errorhandler(405)
def method_not_allowed(e):
    # A response of our own replaces Flask's, so copy the Allow header over.
    response = jsonify(error="method not allowed")
    response.status_code = 405
    response.headers["Allow"] = ", ".join(sorted(e.valid_methods))
    return response


def field_errors(data):
    """Every invalid field of a registration, field name -> message."""
    errors = {}
    email = data.get("email")
    if not isinstance(email, str) or "@" not in email[1:-1]:  # text on both sides
        errors["email"] = "must be an email address like ada@example.com"
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "is required"
    age = data.get("age")
    if not isinstance(age, int) or isinstance(age, bool):  # True is an int in Python
        errors["age"] = "must be an integer"
    elif age <= 13:
        errors["age"] = "must be at least 13"
    return errors


@app.post("/users")
def create_user():
    global next_id
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error(400, "the body must be a JSON object")
    errors = field_errors(data)
    if errors:
        return jsonify(errors=errors), 422
    email = data["email"]
    if any(u["email"].lower() == email.lower() for u in users.values()):
        return error(409, f"{email} is already registered")
    user = {"id": next_id, "email": email, "name": data["name"], "age": data["age"]}
    users[next_id] = user
    next_id += 1
    return jsonify(user), 201, {"Location": f"/users/{user['id']}"}


@app.get("/users/<int:user_id>")
def get_user(user_id):
    user = users.get(user_id)
    if user is None:
        return error(404, f"no user with id {user_id}")
    return jsonify(user)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
