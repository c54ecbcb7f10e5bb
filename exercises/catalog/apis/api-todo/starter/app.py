"""A to-do list API, kept in memory. Run it with: PORT=8080 python3 app.py"""
import os

from flask import Flask, jsonify, request

app = Flask(__name__)

# Every todo is a dict {"id": int, "title": str, "done": bool}.
todos = []


@app.get("/todos")
def list_todos():
    return jsonify(todos)


# TODO POST /todos: create a todo from {"title": ...}; answer 201, the todo and
#      a Location header. Ids are 1, 2, 3, ... and never reused.
# TODO GET /todos/<id>: the todo, or 404 with a JSON {"error": ...}.
# TODO PATCH /todos/<id>: change its title and/or done.
# TODO DELETE /todos/<id>: 204 and an empty body.
# TODO Bad input gets 400 with a JSON {"error": ...}, never an HTML page.


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
