import os

import psycopg
from flask import Flask, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)

DATABASE_URL = os.environ["DATABASE_URL"]


def connect():
    # One connection per request. Leaving the `with` block commits the
    # transaction (or rolls it back if an exception escaped) and closes it.
    # dict_row makes each row a dict: {"id": 1, "title": ..., ...}.
    return psycopg.connect(DATABASE_URL, row_factory=dict_row)


def error(message, status):
    return jsonify(error=message), status


@app.get("/books")
def list_books():
    author = request.args.get("author")
    with connect() as conn:
        if author is None:
            rows = conn.execute(
                "SELECT id, title, author, year FROM books ORDER BY id"
            ).fetchall()
        else:
            rows = conn.execute(
                f"SELECT id, title, author, year FROM books WHERE author = '{author}' ORDER BY id"
            ).fetchall()
    return jsonify(rows)


@app.post("/books")
def create_book():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error("the body must be a JSON object", 400)
    title, author, year = data.get("title"), data.get("author"), data.get("year")
    if not isinstance(title, str) or not title.strip():
        return error("title must be a non-blank string", 400)
    if not isinstance(author, str) or not author.strip():
        return error("author must be a non-blank string", 400)
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        return error("year must be an integer or null", 400)
    with connect() as conn:
        book = conn.execute(
            "INSERT INTO books (title, author, year) VALUES (%s, %s, %s) "
            "RETURNING id, title, author, year",
            (title, author, year),
        ).fetchone()
    return jsonify(book), 201, {"Location": f"/books/{book['id']}"}


@app.get("/books/<int:book_id>")
def get_book(book_id):
    with connect() as conn:
        book = conn.execute(
            "SELECT id, title, author, year FROM books WHERE id = %s", (book_id,)
        ).fetchone()
    if book is None:
        return error(f"no book with id {book_id}", 404)
    return jsonify(book)


@app.delete("/books/<int:book_id>")
def delete_book(book_id):
    with connect() as conn:
        cur = conn.execute("DELETE FROM books WHERE id = %s", (book_id,))
        deleted = cur.rowcount
    if deleted == 0:
        return error(f"no book with id {book_id}", 404)
    return "", 204


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
