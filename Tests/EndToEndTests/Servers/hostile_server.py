#!/usr/bin/env python3
r"""An HTTP server that misbehaves on purpose, for batch-invite's end-to-end tests.

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
  echo-request
              400 whose JSON (with no "message", so that the client quotes the body
              itself) repeats the request's Authorization header, written in --style
  oauth       an OAuth token endpoint at any path ending in /token, every other path
              answered as in ok: a token request gets the next of --tokens (the last one
              again when they are used up) as access_token with expires_in --lifetime;
              after --after token requests so answered, the others get 400
              invalid_request whose error_description repeats the request's body and
              headers (Authorization first), written in --style (the description is JSON text: the client decodes
              it once, and the style's escapes are what it then holds)

Styles: raw (as json.dumps writes it), slash (and / as \/, like PHP), dotnet (and
"&'+<>` and non-ASCII as \u00XX, like .NET), unicode (every character but letters and
digits as \u00xx), percent (URL-encoded first), decoded (a form body's fields decoded),
straddle (raw, placed so that it starts at the 196th character of the body).

usage: hostile_server.py MODE LOG [--host H] [--location URL] [--after N] [--size BYTES]
                         [--style S] [--tokens JSON] [--lifetime SECONDS]
"""
import argparse
import json
import signal
import socketserver
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

SUCCESS = (b'{"success":true,"message":"Invitation sent successfully","invitation_status":"pending",'
           b'"expires_at":"2026-12-14T08:00:00.000-08:00"}')


def escaped(text, style):
    """`text` as the inside of a JSON string, escaped in `style`."""
    if style == "percent":
        text = urllib.parse.quote(text, safe="")
    inside = json.dumps(text)[1:-1]
    if style == "slash":
        return inside.replace("/", "\\/")
    if style == "dotnet":
        return "".join(f"\\u{ord(c):04X}" if c in "&'+<>`" else c for c in inside)
    if style == "unicode":
        return "".join(c if c.isascii() and c.isalnum() else f"\\u{ord(c):04x}" for c in text)
    return inside


def decoded_form(body):
    return "&".join(f"{name}={value}" for name, values in
                    urllib.parse.parse_qs(body, keep_blank_values=True).items() for value in values)


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
    parser.add_argument("--style", default="raw")
    parser.add_argument("--tokens", default='["hostile-token-1"]')
    parser.add_argument("--lifetime", type=float, default=3600)
    options = parser.parse_args()
    tokens = json.loads(options.tokens)
    lock = threading.Lock()
    counter = {"requests": 0, "token_requests": 0}

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
            if mode == "oauth" and self.path.endswith("/token"):
                with lock:
                    counter["token_requests"] += 1
                    served = counter["token_requests"]
                if served <= options.after or options.after == 0:
                    token = tokens[min(served, len(tokens)) - 1]
                    self.answer(200, json.dumps({"access_token": token, "token_type": "Bearer",
                                                 "expires_in": options.lifetime}).encode(),
                                [("Content-Type", "application/json")])
                    return
                text = body.decode("utf-8", "replace")
                echo = "body: " + (decoded_form(text) if options.style == "decoded" else text)
                echo += "".join(f"\n{name}: {value}" for name, value in
                                sorted(self.headers.items(), key=lambda item: item[0] != "Authorization"))
                description = escaped(echo, options.style)
                self.answer(400, json.dumps({"error": "invalid_request",
                                             "error_description": description}).encode(),
                            [("Content-Type", "application/json")])
                return
            if mode == "echo-request":
                echo = "Authorization: " + (self.headers.get("Authorization") or "none")
                inside = escaped(echo, "raw" if options.style == "straddle" else options.style)
                start = '{"success":false,"request":"'
                if options.style == "straddle":
                    # The token (after "Authorization: Bearer ") begins at character 196.
                    start += "x" * (195 - len(start) - len("Authorization: Bearer "))
                self.answer(400, (start + inside + '"}').encode(),
                            [("Content-Type", "application/json")])
                return
            if mode in ("ok", "oauth") or (mode == "redirect" and number <= options.after):
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
