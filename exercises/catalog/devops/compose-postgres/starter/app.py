"""A small inventory service: items kept in PostgreSQL at $DATABASE_URL.

    GET  /health  ok
    GET  /items   {"items": [{"id": 1, "name": "..."}]}
    POST /items   {"name": "..."} -> 201 and the new item

At start it creates its table, and it exits at once if the database cannot
be reached, as most real services do: whatever starts it must start it
only once the database is ready.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pgwire

DATABASE_URL = os.environ.get("DATABASE_URL", "")


def query(sql, params=()):
    conn = pgwire.connect(DATABASE_URL)
    try:
        return conn.query(sql, params)
    finally:
        conn.close()


class Handler(BaseHTTPRequestHandler):
    def send_json(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            self.send_json(200, {"status": "ok"})
        elif self.path == "/items":
            rows = query("SELECT id, name FROM items ORDER BY id")
            self.send_json(200, {"items": [{"id": int(i), "name": n} for i, n in rows]})
        else:
            self.send_json(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/items":
            self.send_json(404, {"error": "not found"})
            return
        try:
            doc = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        except ValueError:
            doc = None
        name = doc.get("name") if isinstance(doc, dict) else None
        if not isinstance(name, str) or not name.strip():
            self.send_json(400, {"error": "send {\"name\": \"...\"}"})
            return
        (item_id, item_name), = query("INSERT INTO items (name) VALUES ($1) RETURNING id, name", [name])
        self.send_json(201, {"id": int(item_id), "name": item_name})


def main():
    if not DATABASE_URL:
        sys.exit("DATABASE_URL is not set: give it as postgres://user:password@host:5432/dbname")
    try:
        query("CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text NOT NULL)")
    except (OSError, pgwire.Error) as e:
        host = urlsplit(DATABASE_URL).hostname
        sys.exit(f"cannot use the database at {host}: {e}")
    print("listening on 0.0.0.0:8000", flush=True)
    ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()


if __name__ == "__main__":
    main()
