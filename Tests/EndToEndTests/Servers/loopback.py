"""What the tests' small HTTP servers share: a handler that answers JSON over HTTP/1.1
keep-alive, quietly, and a server on a free port of 127.0.0.1 that says where it listens
("listening on http://127.0.0.1:PORT", the line ServerProcess waits for) and ends at once
on SIGTERM (ServerProcess.stop sends it, from a thread that may block signals).
"""
import json
import os
import signal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JSONHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    content_type = "application/json"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=()):
        """Answers `status` with `body` as JSON (no body for None) and `headers`."""
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def serve(handler):
    """Serves `handler` on a free port of 127.0.0.1 until SIGTERM."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()
