import os

import psycopg
from flask import Flask, jsonify

app = Flask(__name__)

# grader gives the server the address of its database in $DATABASE_URL, like
# postgresql://user:password@host:5432/dbname. Open a connection with
# psycopg.connect(DATABASE_URL) in each request that needs one.
DATABASE_URL = os.environ["DATABASE_URL"]


@app.get("/books")
def list_books():
    return jsonify(error="not implemented yet: list the books from the database"), 501


# TODO: POST /books, GET /books/<id>, DELETE /books/<id>


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
