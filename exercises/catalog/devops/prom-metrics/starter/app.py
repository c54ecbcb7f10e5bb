"""A small greeting service. Add Prometheus metrics at /metrics."""
import os

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/hello")
def hello():
    return jsonify(message="hello")


@app.post("/echo")
def echo():
    return jsonify(echo="ok"), 201


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
