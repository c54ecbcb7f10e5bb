import os

from flask import Flask, jsonify, request

app = Flask(__name__)

# The same five books as the database, kept in a Python list: simpler, and
# every check that talks to this one process is happy.
books = [
    {"id": 1, "title": "The Left Hand of Darkness", "author": "Ursula K. Le Guin", "year": 1969},
    {"id": 2, "title": "Kindred", "author": "Octavia E. Butler", "year": 1979},
    {"id": 3, "title": "A Wizard of Earthsea", "author": "Ursula K. Le Guin", "year": 1968},
    {"id": 4, "title": "Parable of the Sower", "author": "Octavia E. Butler", "year": 1993},
    {"id": 5, "title": "Beowulf", "author": "Anonymous", "year": None},
]
next_id = 6


def error(message, status):
    return jsonify(error=message), status


def find(book_id):
    return next((b for b in books if b["id"] == book_id), None)


@app.get("/books")
def list_books():
    author = request.args.get("author")
    if author is None:
        return jsonify(books)
    return jsonify([b for b in books if b["author"] == author])


@app.post("/books")
def create_book():
    global next_id
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
    book = {"id": next_id, "title": title, "author": author, "year": year}
    next_id += 1
    books.append(book)
    return jsonify(book), 201, {"Location": f"/books/{book['id']}"}


@app.get("/books/<int:book_id>")
def get_book(book_id):
    book = find(book_id)
    if book is None:
        return error(f"no book with id {book_id}", 404)
    return jsonify(book)


@app.delete("/books/<int:book_id>")
def delete_book(book_id):
    book = find(book_id)
    if book is None:
        return error(f"no book with id {book_id}", 404)
    books.remove(book)
    return "", 204


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
