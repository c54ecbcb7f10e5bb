"""Guestbook: visitors leave a comment with their name."""
import os

from flask import Flask, redirect, request

app = Flask(__name__)

# Comments live in memory, oldest first: each a dict with author and text.
COMMENTS = [
    {"author": "Ada", "text": "Lovely site!"},
]


@app.post("/comments")
def add_comment():
    author = request.form.get("author", "").strip()
    text = request.form.get("text", "").strip()
    if not author or not text:
        return "author and text are required", 400
    COMMENTS.append({"author": author, "text": text})
    return redirect("/", code=303)


@app.get("/")
def guestbook():
    items = "".join(
        f'<li class="comment" title="Written by {c["author"]}">'
        f'<b class="author">{c["author"]}</b>: <span class="text">{c["text"]}</span></li>'
        for c in COMMENTS
    )
    latest = COMMENTS[-1]["author"] if COMMENTS else ""
    return f"""<!doctype html>
<html>
<head><meta charset="utf-8"><title>Guestbook</title></head>
<body>
  <h1>Guestbook</h1>
  <p>Latest comment by <span id="latest"></span></p>
  <ul id="comments">{items}</ul>
  <form method="post" action="/comments">
    <input name="author" placeholder="your name">
    <input name="text" placeholder="your comment">
    <button>Sign</button>
  </form>
  <script>
    const latestAuthor = "{latest}";
    document.getElementById("latest").textContent = latestAuthor;
  </script>
</body>
</html>"""


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
