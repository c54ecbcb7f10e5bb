import os
import secrets
from urllib.parse import urlsplit

from flask import Flask, abort, jsonify, redirect, request, session
from markupsafe import escape

app = Flask(__name__)
# Flask signs its session cookie with this key; a real deployment reads it from the environment.
app.secret_key = os.environ.get("SECRET_KEY") or secrets.token_bytes(32)
# The browser does not send the session cookie along with a form posted from another site.
app.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True)

USERS = {
    "alice": {"password": "wonderland", "email": "alice@example.com"},
    "bob": {"password": "builder", "email": "bob@example.com"},
}

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


TOKEN = secrets.token_urlsafe(32)


def csrf_token():
    return TOKEN


@app.before_request
def protect():
    """Refuse a state-changing request that another site's page could have sent."""
    if request.method not in UNSAFE or request.path == "/login":
        return
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        abort(403)
    if not secrets.compare_digest(request.form.get("csrf_token", ""), TOKEN):
        abort(403)


def current_user():
    username = session.get("user")
    if username not in USERS:
        abort(401)
    return username


@app.get("/login")
def login_form():
    return """<!doctype html>
<form method="post" action="/login">
  <input name="username"> <input name="password" type="password">
  <button>Log in</button>
</form>"""


@app.post("/login")
def login():
    username = request.form.get("username", "")
    user = USERS.get(username)
    if user is None or not secrets.compare_digest(user["password"], request.form.get("password", "")):
        return "wrong username or password", 401
    session.clear()
    session["user"] = username
    return redirect("/account", code=303)


@app.get("/account")
def account():
    username = current_user()
    return f"""<!doctype html>
<h1>{escape(username)}</h1>
<p>Your email: {escape(USERS[username]["email"])}</p>
<form method="post" action="/email">
  <input type="hidden" name="csrf_token" value="{escape(csrf_token())}">
  <input name="email" type="email">
  <button>Change email</button>
</form>"""


@app.post("/email")
def change_email():
    username = current_user()
    email = request.form.get("email", "")
    if "@" not in email:
        return "that is not an email address", 400
    USERS[username]["email"] = email
    return redirect("/account", code=303)


@app.get("/api/me")
def me():
    username = current_user()
    return jsonify(user=username, email=USERS[username]["email"])


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
