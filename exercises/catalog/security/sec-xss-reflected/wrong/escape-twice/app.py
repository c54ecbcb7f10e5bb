"""Film search: a page that finds films by a word of their title."""
import html
import os

from flask import Flask, render_template_string, request

app = Flask(__name__)

FILMS = [
    "Tom & Jerry <3",
    '"Crocodile" Dundee',
    "Singin' in the Rain",
    "The Matrix",
    "Spirited Away",
    "Amélie",
    "Mad Max: Fury Road",
]

# render_template_string escapes every {{ value }} for HTML: < > & " and '
# become entities, in text and in quoted attribute values alike.
PAGE = """<!doctype html>
<html>
<head><meta charset="utf-8"><title>Film search</title></head>
<body>
  <form action="/search">
    <input name="q" value="{{ q }}" placeholder="a word of the title">
    <button>Search</button>
  </form>
  <p id="summary">{{ found|length }} films match <b id="query">{{ q }}</b></p>
  <ul id="results">{% for title in found %}<li>{{ title }}</li>{% endfor %}</ul>
</body>
</html>"""


@app.get("/")
@app.get("/search")
def search():
    q = request.args.get("q", "")
    found = [f for f in FILMS if q.lower() in f.lower()]
    # To be extra safe, escape before the template escapes too.
    return render_template_string(PAGE, q=html.escape(q), found=[html.escape(f) for f in found])


@app.after_request
def content_security_policy(response):
    # The page runs no script of its own: allow none inline, so a value
    # left unescaped one day still cannot run a script.
    response.headers["Content-Security-Policy"] = "script-src 'self'; object-src 'none'; base-uri 'none'"
    return response


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
