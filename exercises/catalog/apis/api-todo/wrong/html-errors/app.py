"""A to-do list API, kept in memory. Run it with: PORT=8080 python3 app.py"""
import os

from flask import Flask, abort, jsonify, request

app = Flask(__name__)

todos = {}
next_id = 1


@app.get("/todos")
def list_todos():
    return jsonify(list(todos.values()))


@app.post("/todos")
def create_todo():
    global next_id
    data = request.json  # Flask answers bad JSON with its own HTML 400 page
    if "title" not in data:
        abort(400)
    title = data["title"]
    if not isinstance(title, str) or not title.strip():
        abort(400)
    todo = {"id": next_id, "title": title, "done": False}
    todos[next_id] = todo
    next_id += 1
    return jsonify(todo), 201, {"Location": f"/todos/{todo['id']}"}


@app.get("/todos/<int:todo_id>")
def get_todo(todo_id):
    if todo_id not in todos:
        abort(404)
    return jsonify(todos[todo_id])


@app.patch("/todos/<int:todo_id>")
def update_todo(todo_id):
    if todo_id not in todos:
        abort(404)
    todo = todos[todo_id]
    data = request.json
    if "title" in data:
        if not isinstance(data["title"], str) or not data["title"].strip():
            abort(400)
        todo["title"] = data["title"]
    if "done" in data:
        if not isinstance(data["done"], bool):
            abort(400)
        todo["done"] = data["done"]
    return jsonify(todo)


@app.delete("/todos/<int:todo_id>")
def delete_todo(todo_id):
    if todo_id not in todos:
        abort(404)
    del todos[todo_id]
    return "", 204


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
