#!/usr/bin/env python3
r"""A small fake of Microsoft Graph's "Create invitation" and of the Microsoft identity
platform's token endpoint, for batch-invite's end-to-end tests of
samples/targets/microsoft-graph-invitations.json. Written from Microsoft's documentation
(learn.microsoft.com/en-us/graph/api/invitation-post, .../graph/api/resources/invitation,
.../graph/errors, .../graph/throttling and
.../entra/identity-platform/v2-oauth2-client-creds-grant-flow), not from the tool's code.

Listens on 127.0.0.1 on a free port, prints "listening on http://127.0.0.1:PORT" first,
and appends one JSON line per request to LOG: method, path, headers (names lower-cased),
body (parsed JSON, the form's pairs, or the text) and raw (the body's text as sent).

  POST /TENANT/oauth2/v2.0/token, application/x-www-form-urlencoded
       grant_type=client_credentials, scope, and the client by HTTP Basic or by
       client_id and client_secret in the body
    400 {"error": "invalid_request", ...}        another tenant (AADSTS90002)
    400 {"error": "unsupported_grant_type", ...} another grant
    401 {"error": "invalid_client", ...}         another client ID or secret
    400 {"error": "invalid_scope", ...}          a scope other than --scope
    200 {"token_type": "Bearer", "expires_in": 3599, "access_token": --access-token}

  POST /v1.0/invitations, Authorization: Bearer --access-token, JSON body
    401 {"error": {"code": "InvalidAuthenticationToken", ...}}  another token
    404                                         another path
    415                                         no application/json body
    429 Retry-After: 1                          the --throttle-at-th invitation, once
    400 {"error": {"code": "BadRequest", "message": ...}}
                                                no invitedUserEmailAddress or
                                                inviteRedirectUrl, or an address whose user
                                                name holds a character the invitation
                                                resource's documentation does not permit
    201 the invitation (id, inviteRedeemUrl, invitedUserDisplayName,
        invitedUserEmailAddress, sendInvitationMessage, inviteRedirectUrl,
        status "PendingAcceptance", invitedUser)

The documentation gives the error object's shape, not the words of each message: the
messages here are the fake's own.

usage: graph_invitations.py LOG --tenant T --client-id ID --client-secret S
                            --access-token TOKEN [--scope S] [--throttle-at N]
"""
import argparse
import base64
import json
import threading
import uuid

from loopback import JSONHandler, serve
from urllib.parse import parse_qsl, unquote, unquote_plus

# "The following special characters aren't permitted in the email address" (invitation
# resource, invitedUserEmailAddress); "." and "-" only inside the user name.
NOT_PERMITTED = set("~!#$%^&*()+=[]{}\\/|;:\"<>?,")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--access-token", required=True)
    parser.add_argument("--scope", default="https://graph.microsoft.com/.default")
    parser.add_argument("--throttle-at", type=int, default=0)
    options = parser.parse_args()
    state = {"invitations": 0, "throttled": False}
    lock = threading.Lock()

    class Handler(JSONHandler):
        content_type = "application/json; charset=utf-8"

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            form = self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded")
            try:
                body = dict(parse_qsl(raw.decode(), keep_blank_values=True)) if form \
                    else json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            with lock:
                with open(options.log, "a") as log:
                    log.write(json.dumps({
                        "method": self.command, "path": self.path, "body": body,
                        "raw": raw.decode("utf-8", "replace"),
                        "headers": {k.lower(): v for k, v in self.headers.items()}}) + "\n")
                if self.path.endswith("/oauth2/v2.0/token"):
                    return self.token(body if form else {})
                return self.invitation(body)

        def token(self, form):
            tenant = unquote(self.path[1:-len("/oauth2/v2.0/token")])
            if tenant != options.tenant:
                return self.answer(400, {
                    "error": "invalid_request",
                    "error_description": "AADSTS90002: Tenant '%s' not found." % tenant})
            if form.get("grant_type") != "client_credentials":
                return self.answer(400, {
                    "error": "unsupported_grant_type",
                    "error_description": "AADSTS70003: The app requested an unsupported "
                                         "grant type."})
            client = (form.get("client_id"), form.get("client_secret"))
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                pair = base64.b64decode(basic[len("Basic "):]).decode()
                identifier, _, secret = pair.partition(":")
                client = (unquote_plus(identifier), unquote_plus(secret))
            if client != (options.client_id, options.client_secret):
                return self.answer(401, {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided."})
            if form.get("scope") != options.scope:
                return self.answer(400, {
                    "error": "invalid_scope",
                    "error_description": "AADSTS70011: The provided value for the input "
                                         "parameter 'scope' is not valid."})
            return self.answer(200, {"token_type": "Bearer", "expires_in": 3599,
                                     "access_token": options.access_token})

        def error(self, status, code, message, headers=()):
            return self.answer(status, {"error": {
                "code": code, "message": message,
                "innerError": {"date": "2026-12-06T12:00:00",
                               "request-id": str(uuid.uuid4())}}}, headers)

        def invitation(self, body):
            if self.headers.get("Authorization") != "Bearer " + options.access_token:
                return self.error(401, "InvalidAuthenticationToken",
                                  "Access token validation failure.")
            if self.path != "/v1.0/invitations":
                return self.error(404, "Request_ResourceNotFound", "Resource not found.")
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self.error(415, "UnsupportedMediaType", "Unsupported media type.")
            state["invitations"] += 1
            if state["invitations"] == options.throttle_at and not state["throttled"]:
                state["throttled"] = True
                return self.error(429, "TooManyRequests", "Too many requests.",
                                  [("Retry-After", "1")])
            problem = self.problem(body)
            if problem:
                return self.error(400, "BadRequest", problem)
            user = str(uuid.uuid4())
            return self.answer(201, {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#invitations/"
                                  "$entity",
                "id": user,
                "inviteRedeemUrl": "https://login.microsoftonline.com/redeem?rd=https%3a%2f%2f"
                                   "invitations.microsoft.com%2fredeem%2f%3ftenant%3d"
                                   + options.tenant + "%26user%3d" + user,
                "invitedUserDisplayName": body.get("invitedUserDisplayName"),
                "invitedUserType": "Guest",
                "invitedUserEmailAddress": body["invitedUserEmailAddress"],
                "sendInvitationMessage": body.get("sendInvitationMessage", False),
                "resetRedemption": False,
                "inviteRedirectUrl": body["inviteRedirectUrl"],
                "status": "PendingAcceptance",
                "invitedUserMessageInfo": {"messageLanguage": None,
                                           "customizedMessageBody": None,
                                           "ccRecipients": []},
                "invitedUser": {"id": user}})

        def problem(self, body):
            if not isinstance(body, dict):
                return "Write requests are only supported on JSON bodies."
            for name in ("invitedUserEmailAddress", "inviteRedirectUrl"):
                if not isinstance(body.get(name), str) or not body[name]:
                    return "Missing required property: %s." % name
            name, at, domain = body["invitedUserEmailAddress"].rpartition("@")
            if not at or not name or not domain or NOT_PERMITTED & set(name) \
                    or name[0] in ".-" or name[-1] in ".-":
                return "The invited user's email address is not valid."
            return None

    serve(Handler)


if __name__ == "__main__":
    main()
