#!/usr/bin/env python3
"""A small HTTPS proxy for batch-invite's end-to-end tests: it answers CONNECT HOST:PORT
by tunnelling to 127.0.0.1:PORT whatever HOST names (so a test can use a name that does
not resolve), and appends each CONNECT target to LOG. It refuses anything else (405).
Prints "listening on http://127.0.0.1:PORT" as its first line.

usage: connect_proxy.py LOG
"""
import socket
import signal
import socketserver
import sys
import threading


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def pipe(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def main():
    # Started by a test runner's thread that may block signals: let SIGTERM end it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log = sys.argv[1]

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            client = self.request
            head = b""
            while b"\r\n\r\n" not in head:
                data = client.recv(4096)
                if not data:
                    return
                head += data
            method, target = head.split(b"\r\n")[0].split(b" ")[:2]
            if method != b"CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            with open(log, "a") as file:
                file.write(target.decode() + "\n")
            port = int(target.rsplit(b":", 1)[1])
            upstream = socket.create_connection(("127.0.0.1", port))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            other = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
            other.start()
            pipe(client, upstream)
            other.join()
            upstream.close()

    server = Server(("127.0.0.1", 0), Handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
