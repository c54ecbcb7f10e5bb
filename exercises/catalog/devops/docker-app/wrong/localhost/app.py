"""A tiny service for the container exercise: GET /health answers 200 and "ok".

Standard library only, so the image needs nothing but Python. It listens on
every address of the container (0.0.0.0), port 8000.
"""
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"  # "safer": but nothing outside the container reaches it
PORT = 8000

# Read from the environment (by hand: `set -a; . ./secrets.env; set +a`).
# A secret is given to a container when it runs, never built into its image.
API_KEY = os.environ.get("API_KEY", "")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            self.answer(200, b"ok")
        else:
            self.answer(404, b"not found")

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        print("%s %s" % (self.address_string(), format % args), flush=True)


def main():
    server = ThreadingHTTPServer((HOST, PORT), Handler)
    print(f"listening on {HOST}:{PORT}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
