#!/usr/bin/env python3
"""An HTTP server that misbehaves on purpose, for batch-invite's end-to-end tests.

Listens on HOST (a loopback address) on a free port, prints "listening on
http://HOST:PORT" as its first line, and appends one JSON line per request it received
to LOG (method, path, headers, body). Every answer depends on MODE:

  ok          201 with Sendoso's success JSON
  redirect    307 to --location (after --after requests answered ok)
  moved       301 to --location
  huge        201 with a body of --size bytes (default 100 MB), written as fast as it goes
  trickle     200 headers at once, then the body one byte a second
  html201     201 with an HTML page as the body
  html200     200 with an HTML page as the body (for CyberArk, whose verdict is in the body)
  echo-auth   400 whose JSON message repeats the request's Authorization header

usage: hostile_server.py MODE LOG [--host H] [--location URL] [--after N] [--size BYTES]
"""
import argparse
import json
import signal
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

SUCCESS = (b'{"success":true,"message":"Invitation sent successfully","invitation_status":"pending",'
           b'"expires_at":"2026-12-14T08:00:00.000-08:00"}')


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    # Started by a test runner's thread that may block signals: let SIGTERM end it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    parser = argparse.ArgumentParser()
    parser.add_argument("mode")
    parser.add_argument("log")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--location", default="")
    parser.add_argument("--after", type=int, default=0)
    parser.add_argument("--size", type=int, default=100_000_000)
    options = parser.parse_args()
    lock = threading.Lock()
    counter = {"requests": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *arguments):
            pass

        def answer(self, status, body, headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with lock:
                counter["requests"] += 1
                number = counter["requests"]
                with open(options.log, "a") as log:
                    log.write(json.dumps({"method": self.command, "path": self.path,
                                          "headers": dict(self.headers.items()),
                                          "body": body.decode("utf-8", "replace")}) + "\n")
            mode = options.mode
            if mode == "ok" or (mode == "redirect" and number <= options.after):
                self.answer(201, SUCCESS, [("Content-Type", "application/json")])
            elif mode in ("redirect", "moved"):
                self.answer(307 if mode == "redirect" else 301, b"", [("Location", options.location)])
            elif mode == "huge":
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(options.size))
                self.end_headers()
                chunk = b"x" * 65536
                sent = 0
                try:
                    while sent < options.size:
                        piece = chunk[:options.size - sent]
                        self.wfile.write(piece)
                        sent += len(piece)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            elif mode == "trickle":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(SUCCESS)))
                self.end_headers()
                try:
                    for byte in SUCCESS:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(1)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            elif mode in ("html201", "html200"):
                self.answer(201 if mode == "html201" else 200, b"<html><body><h1>Created</h1></body></html>",
                            [("Content-Type", "text/html")])
            elif mode == "echo-auth":
                message = "rejected request with " + (self.headers.get("Authorization") or "no token")
                self.answer(400, json.dumps({"success": False, "message": message}).encode(),
                            [("Content-Type", "application/json")])
            else:
                self.answer(500, b"unknown mode")

    server = Server((options.host, 0), Handler)
    print(f"listening on http://{options.host}:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
