"""A tiny PostgreSQL client, standard library only.

The image has no network while it builds, so `pip install psycopg` is not
an option: this speaks just enough of PostgreSQL's wire protocol for app.py
(password, MD5 and SCRAM-SHA-256 logins; statements with parameters sent
apart from the SQL, as psycopg does). You do not need to change it.
"""
import base64
import hashlib
import hmac
import os
import socket
import struct
from urllib.parse import unquote, urlsplit


class Error(Exception):
    """The server refused a login or a statement."""


def connect(url, timeout=5):
    """Connects to a postgres://user:password@host:port/dbname URL."""
    u = urlsplit(url)
    if u.scheme not in ("postgres", "postgresql"):
        raise Error("DATABASE_URL must start with postgres://, got %r" % url)
    user = unquote(u.username or "postgres")
    return Conn(u.hostname or "localhost", u.port or 5432, user,
                unquote(u.password or ""), u.path.lstrip("/") or user, timeout)


def _message(data):
    fields = {}
    for part in data.split(b"\0"):
        if part:
            fields[part[:1]] = part[1:].decode(errors="replace")
    return fields.get(b"M", "error")


class Conn:
    """One connection; close it when done."""

    def __init__(self, host, port, user, password, dbname, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        body = struct.pack("!i", 196608) + b"user\0" + user.encode() + b"\0database\0" + dbname.encode() + b"\0\0"
        self.sock.sendall(struct.pack("!i", len(body) + 4) + body)
        self._login(user, password)
        while True:
            kind, data = self._read()
            if kind == b"E":
                raise Error(_message(data))
            if kind == b"Z":
                return

    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise Error("the server closed the connection")
            buf += chunk
        return buf

    def _read(self):
        head = self._recv(5)
        return head[:1], self._recv(struct.unpack("!i", head[1:])[0] - 4)

    def _send(self, kind, body):
        self.sock.sendall(kind + struct.pack("!i", len(body) + 4) + body)

    def _login(self, user, password):
        nonce = first = ""
        while True:
            kind, data = self._read()
            if kind == b"E":
                raise Error(_message(data))
            code = struct.unpack("!i", data[:4])[0]
            if code == 0:
                return
            if code == 3:  # cleartext password
                self._send(b"p", password.encode() + b"\0")
            elif code == 5:  # MD5
                inner = hashlib.md5(password.encode() + user.encode()).hexdigest()
                self._send(b"p", b"md5" + hashlib.md5(inner.encode() + data[4:8]).hexdigest().encode() + b"\0")
            elif code == 10:  # SASL: SCRAM-SHA-256 (RFC 7677)
                nonce = base64.b64encode(os.urandom(18)).decode()
                first = "n=,r=" + nonce
                msg = ("n,," + first).encode()
                self._send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(msg)) + msg)
            elif code == 11:
                server_first = data[4:].decode()
                attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
                if not attrs["r"].startswith(nonce):
                    raise Error("the server's SCRAM nonce does not extend ours")
                salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
                client_key = hmac.digest(salted, b"Client Key", "sha256")
                final = "c=biws,r=" + attrs["r"]
                auth = (first + "," + server_first + "," + final).encode()
                signature = hmac.digest(hashlib.sha256(client_key).digest(), auth, "sha256")
                proof = bytes(a ^ b for a, b in zip(client_key, signature))
                self._send(b"p", (final + ",p=" + base64.b64encode(proof).decode()).encode())
            elif code != 12:
                raise Error("unsupported login method %d" % code)

    def query(self, sql, params=()):
        """Runs one statement; returns its rows as lists of strings."""
        self._send(b"P", b"\0" + sql.encode() + b"\0" + struct.pack("!h", 0))
        bind = b"\0\0" + struct.pack("!hh", 0, len(params))
        for p in params:
            value = str(p).encode()
            bind += struct.pack("!i", len(value)) + value
        self._send(b"B", bind + struct.pack("!h", 0))
        self._send(b"E", b"\0" + struct.pack("!i", 0))
        self._send(b"S", b"")
        rows, error = [], None
        while True:
            kind, data = self._read()
            if kind == b"D":
                row, pos = [], 2
                for _ in range(struct.unpack("!h", data[:2])[0]):
                    n = struct.unpack("!i", data[pos:pos + 4])[0]
                    pos += 4
                    row.append(None if n < 0 else data[pos:pos + n].decode())
                    pos += max(n, 0)
                rows.append(row)
            elif kind == b"E":
                error = _message(data)
            elif kind == b"Z":
                break
        if error:
            raise Error(error)
        return rows

    def close(self):
        try:
            self._send(b"X", b"")
        except OSError:
            pass
        self.sock.close()
