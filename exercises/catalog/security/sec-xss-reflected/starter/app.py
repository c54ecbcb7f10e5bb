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


@app.get("/")
@app.get("/search")
def search():
    q = request.args.get("q", "")
    found = [f for f in FILMS if q.lower() in f.lower()]
    items = "".join(f"<li>{title}</li>" for title in found)
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
