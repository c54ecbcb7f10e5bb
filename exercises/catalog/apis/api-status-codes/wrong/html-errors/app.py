"""A user registration API, kept in memory. Run it with: PORT=8080 python3 app.py"""
import os

from flask import Flask, abort, jsonify, request

app = Flask(__name__)

users = {}
next_id = 1


@app.post("/users")
def create_user():
    global next_id
    data = request.json  # bad JSON: Flask's own HTML 400 page
    errors = {}
    email = data.get("email")
    if not isinstance(email, str) or "@" not in email[1:-1]:
        errors["email"] = "must be an email address like ada@example.com"
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "is required"
    age = data.get("age")
    if not isinstance(age, int) or isinstance(age, bool):
        errors["age"] = "must be an integer"
    elif age < 13:
        errors["age"] = "must be at least 13"
    if errors:
        return jsonify(errors=errors), 422
    if any(u["email"].lower() == email.lower() for u in users.values()):
        return jsonify(error=f"{email} is already registered"), 409
    user = {"id": next_id, "email": email, "name": name, "age": age}
    users[next_id] = user
    next_id += 1
    return jsonify(user), 201, {"Location": f"/users/{user['id']}"}


@app.get("/users/<int:user_id>")
def get_user(user_id):
    if user_id not in users:
        abort(404)
    return jsonify(users[user_id])


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
