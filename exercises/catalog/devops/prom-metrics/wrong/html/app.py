"""A small greeting service with Prometheus metrics at /metrics, written
in the text exposition format by hand."""
import os
import threading
import time

from flask import Flask, Response, g, jsonify, request

app = Flask(__name__)

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

lock = threading.Lock()
requests_total = {}  # (method, path, status) -> count
durations = {}  # (method, path, status) -> {"buckets": [...], "sum": s, "count": n}


@app.before_request
def start_timer():
    g.start = time.perf_counter()


@app.after_request
def record(response):
    if request.path == "/metrics":
        return response
    elapsed = time.perf_counter() - g.start
    key = (request.method, request.path, str(response.status_code))
    with lock:
        requests_total[key] = requests_total.get(key, 0) + 1
        h = durations.setdefault(key, {"buckets": [0] * len(BUCKETS), "sum": 0.0, "count": 0})
        for i, le in enumerate(BUCKETS):
            if elapsed <= le:
                h["buckets"][i] += 1
        h["sum"] += elapsed
        h["count"] += 1
    return response


def labels(key):
    method, path, status = key
    return f'method="{method}",path="{path}",status="{status}"'


@app.get("/metrics")
def metrics():
    lines = [
        "# HELP http_requests_total Requests served, by method, path and status.",
        "# TYPE http_requests_total counter",
    ]
    with lock:
        for key, n in sorted(requests_total.items()):
            lines.append(f"http_requests_total{{{labels(key)}}} {n}")
        lines += [
            "# HELP http_request_duration_seconds How long requests took.",
            "# TYPE http_request_duration_seconds histogram",
        ]
        for key, h in sorted(durations.items()):
            for le, n in zip(BUCKETS, h["buckets"]):
                lines.append(f'http_request_duration_seconds_bucket{{{labels(key)},le="{le}"}} {n}')
            lines.append(f'http_request_duration_seconds_bucket{{{labels(key)},le="+Inf"}} {h["count"]}')
            lines.append(f"http_request_duration_seconds_sum{{{labels(key)}}} {h['sum']}")
            lines.append(f"http_request_duration_seconds_count{{{labels(key)}}} {h['count']}")
    return "\n".join(lines) + "\n"


@app.get("/hello")
def hello():
    return jsonify(message="hello")


@app.post("/echo")
def echo():
    return jsonify(echo="ok"), 201


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
