"""A small articles API with roles. Run it with: PORT=8080 python3 app.py"""
import copy
import itertools
import os
import secrets
import threading

from flask import Flask, jsonify, request

from users import ARTICLES, USERS

app = Flask(__name__)

users = {u["id"]: dict(u) for u in USERS}              # id -> user (its role may change)
articles = {a["id"]: dict(a) for a in copy.deepcopy(ARTICLES)}
lock = threading.Lock()                                # the development server runs requests in threads
next_article_id = itertools.count(max(articles) + 1)   # ids are never reused, even after a delete
next_user_id = itertools.count(max(users) + 1)

VALID_ROLES = "viewer, editor, admin"


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


def unauthorized():
    return error(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})


def role_of(user):
    # The web app sends the role it shows in its menu as X-Role; saves a lookup.
    return request.headers.get("X-Role", user["role"])


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
def list_articles():
    if user_of_request() is None:
        return unauthorized()
    return jsonify(sorted(articles.values(), key=lambda a: a["id"]))


@app.get("/articles/<int:article_id>")
def get_article(article_id):
    if user_of_request() is None:
        return unauthorized()
    article = articles.get(article_id)
    if article is None:
        return error(404, "no such article")
    return jsonify(article)


@app.post("/articles")
def create_article():
    user = user_of_request()
    if user is None:
        return unauthorized()
    if role_of(user) not in ("editor", "admin"):
        return error(403, "only editors may write articles")
    fields = article_body()
    if fields is None:
        return error(400, "send a JSON object with a title and a body")
    with lock:
        article = {"id": next(next_article_id), **fields, "author_id": user["id"]}
        articles[article["id"]] = article
    return jsonify(article), 201, {"Location": f"/articles/{article['id']}"}


@app.put("/articles/<int:article_id>")
def update_article(article_id):
    user = user_of_request()
    if user is None:
        return unauthorized()
    if role_of(user) not in ("editor", "admin"):
        return error(403, "only editors may write articles")
    article = articles.get(article_id)
    if article is None:
        return error(404, "no such article")
    fields = article_body()
    if fields is None:
        return error(400, "send a JSON object with a title and a body")
    article.update(fields)
    return jsonify(article)


@app.delete("/articles/<int:article_id>")
def delete_article(article_id):
    user = user_of_request()
    if user is None:
        return unauthorized()
    if role_of(user) != "admin":
        return error(403, "only admins may delete articles")
    if articles.pop(article_id, None) is None:
        return error(404, "no such article")
    return "", 204


# The user pages are only linked from the admin menu.

@app.get("/users")
def list_users():
    if user_of_request() is None:
        return unauthorized()
    return jsonify([public(u) for u in sorted(users.values(), key=lambda u: u["id"])])


@app.post("/users")
def create_user():
    if user_of_request() is None:
        return unauthorized()
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"].strip() \
            or not isinstance(data.get("role"), str) or data["role"] not in VALID_ROLES:
        return error(400, f"send a JSON object with a name and a role, one of {VALID_ROLES}")
    with lock:
        user = {"id": next(next_user_id), "name": data["name"], "role": data["role"],
                "token": "tok_" + secrets.token_hex(16)}
        users[user["id"]] = user
    return jsonify({**public(user), "token": user["token"]}), 201, {"Location": f"/users/{user['id']}"}


@app.patch("/users/<int:user_id>/role")
def change_role(user_id):
    if user_of_request() is None:
        return unauthorized()
    user = users.get(user_id)
    if user is None:
        return error(404, "no such user")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("role"), str) or data["role"] not in VALID_ROLES:
        return error(400, f"send a JSON object with a role, one of {VALID_ROLES}")
    user["role"] = data["role"]
    return jsonify(public(user))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
