#!/usr/bin/env python3
r"""A small fake of GitHub's "Create an organization invitation", for batch-invite's
end-to-end tests of samples/targets/github-org-invitations.json. Written from GitHub's
REST documentation (docs.github.com/en/rest/orgs/members#create-an-organization-invitation
and docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api), not from the
tool's code.

Listens on 127.0.0.1 on a free port, prints "listening on http://127.0.0.1:PORT" first,
and appends one JSON line per request to LOG: method, path, headers (names lower-cased),
body (parsed JSON, or the text).

  POST /orgs/ORG/invitations, Authorization: Bearer TOKEN, JSON {"email", "role"?}
    401 {"message": "Bad credentials"}     another token
    404 {"message": "Not Found"}           another organization or path
    415                                    no application/json body
    422 "Validation Failed", errors[].message
                                           no e-mail, a role not admin, direct_member or
                                           billing_manager; an existing member ("Invitee is
                                           already a part of this organization") or one
                                           invited before ("Invitee has already been invited")
    403 x-ratelimit-remaining: 0, x-ratelimit-reset: now + 1
                                           the request after --limit-after creations, once
    429 retry-after: 1                     the --throttle-at-th request, once
    403 retry-after: 1, x-ratelimit-remaining: 4990
                                           a secondary rate limit: the --secondary-at-th
                                           request, once
    201 the invitation (id, email, role, created_at, inviter...)

With --token-header NAME, the token is expected alone in that header (and no
Authorization), as an API with a key header of its own would; with --token-scheme WORD
too, after that word ("Authorization: SSWS TOKEN", as Okta wants it).

usage: github_invitations.py LOG --token T --org ORG [--member EMAIL]... [--limit-after N]
                             [--throttle-at N] [--secondary-at N] [--token-header NAME]
                             [--token-scheme WORD]
"""
import argparse
import json
import threading
import time

from loopback import JSONHandler, serve

DOCS = "https://docs.github.com/rest/orgs/members#create-an-organization-invitation"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("--token", required=True)
    parser.add_argument("--org", required=True)
    parser.add_argument("--member", action="append", default=[])
    parser.add_argument("--limit-after", type=int, default=0)
    parser.add_argument("--throttle-at", type=int, default=0)
    parser.add_argument("--token-header", default="")
    parser.add_argument("--token-scheme", default="")
    parser.add_argument("--secondary-at", type=int, default=0)
    options = parser.parse_args()
    state = {"requests": 0, "created": 0, "invited": set(), "limited": False,
             "throttled": False, "secondary": False, "next_id": 1}
    lock = threading.Lock()

    class Handler(JSONHandler):
        content_type = "application/json; charset=utf-8"

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            with lock:
                with open(options.log, "a") as log:
                    log.write(json.dumps({
                        "method": self.command, "path": self.path, "body": body,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "header_names": [k.lower() for k in self.headers.keys()]}) + "\n")
                self.handle_invitation(body)

        def handle_invitation(self, body):
            state["requests"] += 1
            if options.token_header:
                wanted = (options.token_scheme + " " if options.token_scheme else "") + options.token
                if self.headers.get(options.token_header) != wanted or (
                        "Authorization" in self.headers
                        and options.token_header.lower() != "authorization"):
                    return self.answer(401, {"message": "Bad credentials"})
            elif self.headers.get("Authorization") != "Bearer " + options.token:
                return self.answer(401, {"message": "Bad credentials", "documentation_url": DOCS})
            if self.path != "/orgs/%s/invitations" % options.org:
                return self.answer(404, {"message": "Not Found", "documentation_url": DOCS})
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self.answer(415, {"message": "Unsupported Media Type"})
            if options.throttle_at and state["requests"] == options.throttle_at \
                    and not state["throttled"]:
                state["throttled"] = True
                return self.answer(429, {"message": "You have exceeded a secondary rate limit."},
                                   [("Retry-After", "1")])
            if options.secondary_at and state["requests"] == options.secondary_at \
                    and not state["secondary"]:
                # A secondary rate limit: 403, requests left in the hour, retry-after.
                state["secondary"] = True
                return self.answer(
                    403, {"message": "You have exceeded a secondary rate limit. Please wait a "
                                     "few minutes before you try again.",
                          "documentation_url": DOCS},
                    [("x-ratelimit-limit", "5000"), ("x-ratelimit-remaining", "4990"),
                     ("x-ratelimit-reset", str(int(time.time()) + 3000)), ("retry-after", "1")])
            if options.limit_after and state["created"] >= options.limit_after \
                    and not state["limited"]:
                state["limited"] = True
                return self.answer(
                    403, {"message": "API rate limit exceeded for user ID 1.",
                          "documentation_url": DOCS},
                    [("x-ratelimit-limit", "5000"), ("x-ratelimit-remaining", "0"),
                     ("x-ratelimit-reset", str(int(time.time()) + 1))])
            problem = self.problem(body)
            if problem:
                return self.answer(422, {
                    "message": "Validation Failed", "documentation_url": DOCS,
                    "errors": [{"resource": "OrganizationInvitation", "code": "unprocessable",
                                "field": "data", "message": problem}]})
            email = body["email"].lower()
            state["invited"].add(email)
            state["created"] += 1
            invitation = {
                "id": state["next_id"], "node_id": "OI_%d" % state["next_id"], "login": None,
                "email": body["email"], "role": body.get("role", "direct_member"),
                "created_at": "2026-12-06T12:00:00Z", "failed_at": None, "failed_reason": None,
                "inviter": {"login": "octocat", "id": 1}, "team_count": 0,
                "invitation_teams_url": "https://api.github.com/organizations/1/invitations/"
                                        "%d/teams" % state["next_id"]}
            state["next_id"] += 1
            return self.answer(201, invitation)

        def problem(self, body):
            if not isinstance(body, dict) or not isinstance(body.get("email"), str):
                return "email or invitee_id is required"
            if "role" in body and body["role"] not in ("admin", "direct_member",
                                                       "billing_manager", "reinstate"):
                return "role is not included in the list"
            email = body["email"].lower()
            if email in (m.lower() for m in options.member):
                return "Invitee is already a part of this organization"
            if email in state["invited"]:
                return "Invitee has already been invited"
            return None

    serve(Handler)


if __name__ == "__main__":
    main()
