"""Guestbook: visitors leave a comment with their name."""
import os

from flask import Flask, redirect, render_template, request

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
    # Stored as typed: escaping is the page's job, for the place each value goes.
    COMMENTS.append({"author": author, "text": text})
    return redirect("/", code=303)


@app.get("/")
def guestbook():
    latest = COMMENTS[-1]["author"] if COMMENTS else ""
    # templates/guestbook.html: Flask autoescapes .html templates.
    return render_template("guestbook.html", comments=COMMENTS, latest=latest)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
