"""Film search: a page that finds films by a word of their title."""
import os

from flask import Flask, request

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


def escape(s):
    # < and > can no longer open a tag, so no script can be added. (Or so it seems.)
    return s.replace("<", "&lt;").replace(">", "&gt;")


@app.get("/")
@app.get("/search")
def search():
    raw = request.args.get("q", "")
    found = [f for f in FILMS if raw.lower() in f.lower()]
    q = escape(raw)
    items = "".join(f"<li>{escape(title)}</li>" for title in found)
    return f"""<!doctype html>
<html>
<head><meta charset="utf-8"><title>Film search</title></head>
<body>
  <form action="/search">
    <input name="q" value="{q}" placeholder="a word of the title">
    <button>Search</button>
  </form>
  <p id="summary">{len(found)} films match <b id="query">{q}</b></p>
  <ul id="results">{items}</ul>
</body>
</html>"""


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
