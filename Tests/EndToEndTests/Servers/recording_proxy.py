#!/usr/bin/env python3
"""A recording proxy for batch-invite's end-to-end tests: what a client sent, byte for
byte, in front of any HTTP server on loopback.

Listens on 127.0.0.1 on a free port, prints "listening on http://127.0.0.1:PORT" first,
forwards each request to UPSTREAM (one new connection each) and answers with what
UPSTREAM answered (status, headers, body), after appending one JSON line to LOG: method,
path, the headers the client chose (names lower-cased; not host, connection,
content-length or user-agent, which differ with the connection), body as text.

usage: recording_proxy.py LOG UPSTREAM_URL
"""
import http.client
import json
import sys
import threading
import urllib.parse

from loopback import JSONHandler, serve

VARYING = {"host", "connection", "content-length", "user-agent", "keep-alive"}


def main():
    log_path, upstream = sys.argv[1], urllib.parse.urlsplit(sys.argv[2])
    lock = threading.Lock()

    class Handler(JSONHandler):
        def forward(self):
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = sorted((k.lower(), v) for k, v in self.headers.items()
                             if k.lower() not in VARYING)
            with lock, open(log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps({"method": self.command, "path": self.path,
                                      "headers": headers,
                                      "body": body.decode("utf-8", "replace")},
                                     ensure_ascii=False) + "\n")
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port,
                                                    timeout=30)
            sent = {k: v for k, v in self.headers.items() if k.lower() not in VARYING}
            connection.request(self.command, self.path, body=body, headers=sent)
            answer = connection.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in VARYING | {"date", "server", "transfer-encoding"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            connection.close()

        do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = forward

    serve(Handler)


if __name__ == "__main__":
    main()
