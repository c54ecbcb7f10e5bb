"""A small articles API with roles. Run it with: PORT=8080 python3 app.py"""
import copy
import functools
import itertools
import os
import secrets
import threading

from flask import Flask, g, jsonify, request

from users import ARTICLES, ROLES, USERS

app = Flask(__name__)

users = {u["id"]: dict(u) for u in USERS}              # id -> user (its role may change)
articles = {a["id"]: dict(a) for a in copy.deepcopy(ARTICLES)}
lock = threading.Lock()                                # the development server runs requests in threads
next_article_id = itertools.count(max(articles) + 1)   # ids are never reused, even after a delete
next_user_id = itertools.count(max(users) + 1)

RANK = {role: i for i, role in enumerate(ROLES)}       # viewer 0 < editor 1 < admin 2


def error(status, message, headers=None):
    return jsonify(error=message), status, headers or {}


def public(user):
    """A user as the API shows it: never the token."""
    return {"id": user["id"], "name": user["name"], "role": user["role"]}


def user_of_request():
    """The user whose token is in "Authorization: Bearer <token>", or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    for user in users.values():
        if secrets.compare_digest(user["token"], token):
            return user
    return None


def requires(role):
    """Only users with at least `role` may call the route; the role is the one
    the server holds for the token's user, never one the request claims."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = user_of_request()
            if user is None:   # who are you?
                return error(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})
            claimed = request.headers.get("X-Role", user["role"])  # the web app sends it
            if RANK.get(claimed, -1) < RANK[role]:
                return error(403, f"this needs the {role} role")
            g.user = user
            return view(*args, **kwargs)
        return wrapper
    return decorate


def article_body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("title"), str) or not data["title"].strip() \
            or not isinstance(data.get("body"), str):
        return None
    return {"title": data["title"], "body": data["body"]}


@app.errorhandler(404)
def not_found(e):
    return error(404, "not found")


@app.errorhandler(405)
def method_not_allowed(e):
    return error(405, "method not allowed")


@app.get("/articles")
@requires("viewer")
def list_articles():
    return jsonify(sorted(articles.values(), key=lambda a: a["id"]))


@app.get("/articles/<int:article_id>")
@requires("viewer")
def get_article(article_id):
    article = articles.get(article_id)
    if article is None:
        return error(404, "no such article")
    return jsonify(article)


@app.post("/articles")
@requires("editor")
def create_article():
    fields = article_body()
    if fields is None:
        return error(400, "send a JSON object with a title and a body")
    with lock:
        article = {"id": next(next_article_id), **fields, "author_id": g.user["id"]}
        articles[article["id"]] = article
    return jsonify(article), 201, {"Location": f"/articles/{article['id']}"}


@app.put("/articles/<int:article_id>")
@requires("editor")
def update_article(article_id):
    article = articles.get(article_id)
    if article is None:
        return error(404, "no such article")
    # Editors edit their own articles; admins edit any.
    if g.user["role"] != "admin" and article["author_id"] != g.user["id"]:
        return error(403, "editors may only edit their own articles")
    fields = article_body()
    if fields is None:
        return error(400, "send a JSON object with a title and a body")
    article.update(fields)
    return jsonify(article)


@app.delete("/articles/<int:article_id>")
@requires("admin")
def delete_article(article_id):
    if articles.pop(article_id, None) is None:
        return error(404, "no such article")
    return "", 204


@app.get("/users")
@requires("admin")
def list_users():
    return jsonify([public(u) for u in sorted(users.values(), key=lambda u: u["id"])])


@app.post("/users")
@requires("admin")
def create_user():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"].strip() \
            or not isinstance(data.get("role"), str) or data["role"] not in RANK:
        return error(400, f"send a JSON object with a name and a role, one of {', '.join(ROLES)}")
    with lock:
        user = {"id": next(next_user_id), "name": data["name"], "role": data["role"],
                "token": "tok_" + secrets.token_hex(16)}
        users[user["id"]] = user
    return jsonify({**public(user), "token": user["token"]}), 201, {"Location": f"/users/{user['id']}"}


@app.patch("/users/<int:user_id>/role")
@requires("admin")
def change_role(user_id):
    user = users.get(user_id)
    if user is None:
        return error(404, "no such user")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("role"), str) \
            or data["role"] not in RANK:   # exactly one of the roles: a dict lookup, not a substring test
        return error(400, f"send a JSON object with a role, one of {', '.join(ROLES)}")
    user["role"] = data["role"]
    return jsonify(public(user))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
