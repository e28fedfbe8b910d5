#!/usr/bin/env python3
"""A small invitation API that honours an Idempotency-Key header, for batch-invite's
end-to-end tests of a definition's `idempotency`. Written from the behaviour such APIs
document (Stripe's and the IETF draft "The Idempotency-Key HTTP Header Field"): the first
request with a key is processed and its answer kept; a request with a key already seen
is not processed again, and gets the kept answer (with `Idempotent-Replayed: true`).

Listens on 127.0.0.1 on a free port, prints "listening on http://127.0.0.1:PORT" first,
and appends one JSON line per request to LOG: path, key (the header's value or null),
email, created (whether this request made an invitation), replayed.

  POST /invitations, Authorization: Bearer TOKEN, JSON {"email"}
    201 {"id": N, "email": ..., "status": "pending"}   a new invitation
    422 {"message": "already invited"}                 an e-mail invited under another key
    --drop EMAIL      the first request for EMAIL is processed (the invitation made), then
                      the connection is closed unanswered: the answer is lost
    --hang EMAIL      the first request for EMAIL is processed, then never answered

usage: idempotent_api.py LOG --token T [--drop EMAIL]... [--hang EMAIL]...
"""
import argparse
import json
import threading
import time

from loopback import JSONHandler, serve


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("--token", required=True)
    parser.add_argument("--drop", action="append", default=[])
    parser.add_argument("--hang", action="append", default=[])
    options = parser.parse_args()
    lock = threading.Lock()
    state = {"answers": {}, "invited": set(), "next_id": 1, "faulted": set()}

    class Handler(JSONHandler):

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if self.headers.get("authorization") != "Bearer " + options.token:
                return self.answer(401, {"message": "bad token"})
            try:
                email = json.loads(body)["email"]
            except (ValueError, KeyError, TypeError):
                return self.answer(400, {"message": "expected {\"email\"}"})
            key = self.headers.get("idempotency-key")
            with lock:
                replay = key is not None and key in state["answers"]
                created = False
                if replay:
                    status, answer = state["answers"][key]
                elif email.lower() in state["invited"]:
                    status, answer = 422, {"message": "already invited"}
                else:
                    created = True
                    state["invited"].add(email.lower())
                    status = 201
                    answer = {"id": state["next_id"], "email": email, "status": "pending"}
                    state["next_id"] += 1
                if key is not None and not replay:
                    state["answers"][key] = (status, answer)
                fault = None
                if email in options.drop + options.hang and email not in state["faulted"]:
                    state["faulted"].add(email)
                    fault = "drop" if email in options.drop else "hang"
                with open(options.log, "a", encoding="utf-8") as log:
                    log.write(json.dumps({"path": self.path, "key": key, "email": email,
                                          "created": created, "replayed": replay,
                                          "fault": fault}) + "\n")
            if fault == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if fault == "hang":
                time.sleep(3600)
                return
            headers = [("Idempotent-Replayed", "true")] if replay else []
            self.answer(status, answer, headers)

    serve(Handler)


if __name__ == "__main__":
    main()
