"""A to-do list API, kept in memory. Run it with: PORT=8080 python3 app.py"""
import os

from flask import Flask, jsonify, request

app = Flask(__name__)

# id -> {"id": int, "title": str, "done": bool}; a dict keeps creation order.
todos = {}
next_id = 1  # a counter, not len(todos) + 1: ids are never reused


def error(status, message):
    return jsonify(error=message), status


def valid_title(value):
    return isinstance(value, str) and value.strip() != ""


@app.errorhandler(404)
def not_found(e):
    return error(404, "not found")


@app.errorhandler(405)
def method_not_allowed(e):
    return error(405, "method not allowed")


@app.get("/todos")
def list_todos():
    return jsonify(list(todos.values()))


@app.post("/todos")
def create_todo():
    global next_id
    data = request.get_json(silent=True)  # None when the body is not JSON
    if not isinstance(data, dict):
        return error(400, "the body must be a JSON object")
    if not valid_title(data.get("title")):
        return error(400, "title must be a non-blank string")
    todo = {"id": next_id, "title": data["title"], "done": False}
    todos[next_id] = todo
    next_id += 1
    return jsonify(todo), 201, {"Location": f"/todos/{todo['id']}"}


@app.get("/todos/<int:todo_id>")
def get_todo(todo_id):
    todo = todos.get(todo_id)
    if todo is None:
        return error(404, f"no todo with id {todo_id}")
    return jsonify(todo)


@app.patch("/todos/<int:todo_id>")
def update_todo(todo_id):
    todo = todos.get(todo_id)
    if todo is None:
        return error(404, f"no todo with id {todo_id}")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error(400, "the body must be a JSON object")
    if "title" in data and not valid_title(data["title"]):
        return error(400, "title must be a non-blank string")
    if "done" in data and not isinstance(data["done"], bool):
        return error(400, "done must be true or false")
    if "title" in data:
        todo["title"] = data["title"]
    if "done" in data:
        todo["done"] = data["done"]
    return jsonify(todo)


@app.delete("/todos/<int:todo_id>")
def delete_todo(todo_id):
    if todos.pop(todo_id, None) is None:
        return error(404, f"no todo with id {todo_id}")
    return "", 204


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
