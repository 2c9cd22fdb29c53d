#!/usr/bin/env python3
"""A second, independent authorization server for mcp-bridge's sign-in tests (run it with .venv-authlib's python).

    python authlib_server.py [--port 0] [--transport streamable|sse] [--token-seconds 3600] [--interval 1]
                             [--slow-down-at N] [--device-seconds 600] [--no-device] [--no-s256] [--deny]
                             [--as-down] [--cimd]

Two listeners in one process, as two separate services would be:
- the authorization server: authlib's RFC 6749 core under Flask (its own port, issuer `http://127.0.0.1:<asport>`):
  RFC 8414 metadata, RFC 7591 dynamic registration, the authorization code grant with PKCE (S256 required) and
  RFC 9207 `iss` on every authorization response, refresh, RFC 8628 device authorization with a verification page
  the "user" script (Tests/Clients/device_user.sh) approves or denies, RFC 7662 introspection;
- the MCP resource server in front: the mcp SDK's server with a token verifier that introspects each token at that
  authorization server over HTTP, serving RFC 9728 protected resource metadata that points at it (Streamable HTTP on
  /mcp, or the 2024-11-05 HTTP+SSE transport on /sse and /messages/ with `--transport sse`).

The authorization code's "user" approves at once (a 302 to the client's redirect URI, as Tests/Clients/browser.sh
expects), or refuses with `--deny`. The device flow polls follow RFC 8628 §3.5: a poll sooner than the current
interval gets `slow_down` and adds 5 s to it; `--slow-down-at N` answers the N-th poll `slow_down` whatever its timing.

Test hooks on the resource server's port: `GET /_counts` (registrations, authorizations, device authorizations,
token requests by grant, introspections), `GET /_polls` (each device poll: its time and answer — the AS's log of
the poll spacing), `GET /_secrets` (every secret it issued, so a test can assert none reached a log),
`GET /_revoke_all` (every token and refresh token refused from then on: the next request gets a 401). `--as-down`
names an authorization server nobody runs. `--cimd` takes a Client ID Metadata Document URL as `client_id` (and
advertises it); `PUT /documents/<name>` on the resource server's port stores a document that `GET` then serves.
Prints
`LISTENING <resource server port>`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
import urllib.parse
import urllib.request
import warnings
from collections import Counter

sys.path.insert(0, os.path.dirname(__file__))
import lifeline  # noqa: E402
import serving  # noqa: E402

from authlib.integrations.flask_oauth2 import AuthorizationServer  # noqa: E402
from authlib.oauth2.rfc6749 import ClientMixin, grants  # noqa: E402
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint  # noqa: E402
from authlib.oauth2.rfc7636 import CodeChallenge  # noqa: E402
from authlib.oauth2.rfc7662 import IntrospectionEndpoint  # noqa: E402
from authlib.oauth2.rfc8628 import DEVICE_CODE_GRANT_TYPE, DeviceAuthorizationEndpoint, DeviceCodeGrant  # noqa: E402
from authlib.oauth2.rfc9207 import IssuerParameter  # noqa: E402
from flask import Flask, jsonify, request  # noqa: E402
from mcp.server.auth.provider import AccessToken  # noqa: E402
from mcp.server.auth.settings import AuthSettings  # noqa: E402
from mcp.server.mcpserver import MCPServer  # noqa: E402
from mcp.server.transport_security import TransportSecuritySettings  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse, Response  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

warnings.filterwarnings("ignore")
logging.getLogger("werkzeug").setLevel(logging.ERROR)
LOCK = threading.Lock()
COUNTS: Counter[str] = Counter()
POLLS: list[dict] = []
SECRETS: list[str] = []
CLIENTS: dict[str, "Client"] = {}
CODES: dict[str, "Record"] = {}
TOKENS: dict[str, dict] = {}
DEVICES: dict[str, "Record"] = {}
USER_GRANTS: dict[str, bool] = {}
USER = {"sub": "device-user"}
RS_CLIENT = ("resource-server", "resource-server-secret")


def issued(*values):
    with LOCK:
        SECRETS.extend(value for value in values if value)


class Record(dict):
    """An authorization code or device credential: the mixins authlib's grants call, over a dict."""

    def get_redirect_uri(self):
        return self.get("redirect_uri")

    def get_scope(self):
        return self.get("scope") or ""

    def get_client_id(self):
        return self["client_id"]

    def get_user_code(self):
        return self["user_code"]

    def is_expired(self):
        return self.get("expires_at", 0) < time.time()

    def check_client(self, client):
        return self["client_id"] == client.client_id

    def __getattr__(self, name):
        return self.get(name)


class Client(ClientMixin):
    def __init__(self, client_id, secret, metadata):
        self.client_id, self.client_secret, self.metadata = client_id, secret, metadata

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        uris = self.metadata.get("redirect_uris") or []
        return uris[0] if uris else None

    def get_allowed_scope(self, scope):
        return scope or ""

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in (self.metadata.get("redirect_uris") or [])  # exact, port included

    def check_client_secret(self, client_secret):
        return self.client_secret is not None and client_secret == self.client_secret

    def check_endpoint_auth_method(self, method, endpoint):
        return method == self.metadata.get("token_endpoint_auth_method", "client_secret_basic")

    def check_response_type(self, response_type):
        return response_type in (self.metadata.get("response_types") or ["code"])

    def check_grant_type(self, grant_type):
        return grant_type in (self.metadata.get("grant_types") or ["authorization_code"])


class Registration(ClientRegistrationEndpoint):
    """Open registration (RFC 7591 without an initial access token)."""

    def authenticate_token(self, request):
        return True

    def get_server_metadata(self):
        return METADATA

    def generate_client_secret(self, request):
        public = request.payload.data.get("token_endpoint_auth_method") == "none"
        return None if public else super().generate_client_secret(request)

    def save_client(self, client_info, client_metadata, request):
        public = client_metadata.get("token_endpoint_auth_method") == "none"
        client = Client(client_info["client_id"], None if public else client_info["client_secret"], client_metadata)
        with LOCK:
            COUNTS["register"] += 1
            CLIENTS[client.client_id] = client
        issued(client.client_secret)
        return client


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["none", "client_secret_post", "client_secret_basic"]

    def save_authorization_code(self, code, request):
        issued(code)
        CODES[code] = Record(code=code, client_id=request.client.client_id, redirect_uri=request.payload.redirect_uri,
                             scope=request.payload.scope, expires_at=time.time() + 300,
                             code_challenge=request.payload.data.get("code_challenge"),
                             code_challenge_method=request.payload.data.get("code_challenge_method"))

    def query_authorization_code(self, code, client):
        record = CODES.get(code)
        return record if record and record["client_id"] == client.client_id and not record.is_expired() else None

    def delete_authorization_code(self, authorization_code):
        CODES.pop(authorization_code["code"], None)

    def authenticate_user(self, authorization_code):
        return USER


class RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["none", "client_secret_post", "client_secret_basic"]
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

    def authenticate_refresh_token(self, refresh_token):
        for token in TOKENS.values():
            if token.get("refresh_token") == refresh_token and not token.get("revoked"):
                return Record(token)
        return None

    def authenticate_user(self, refresh_token):
        return USER

    def revoke_old_credential(self, refresh_token):
        TOKENS[refresh_token["access_token"]]["revoked"] = True


class DeviceGrant(DeviceCodeGrant):
    def query_device_credential(self, device_code):
        return DEVICES.get(device_code)

    def query_user_grant(self, user_code):
        return (USER, USER_GRANTS[user_code]) if user_code in USER_GRANTS else None

    def should_slow_down(self, credential):
        now = time.time()
        forced = OPTIONS.slow_down_at and credential["polls"] == OPTIONS.slow_down_at
        early = credential["last_poll"] and now - credential["last_poll"] < credential["interval"] - 0.25
        credential["last_poll"] = now
        if forced or early:
            credential["interval"] += 5
            return True
        return False

    def validate_token_request(self):
        credential = DEVICES.get(self.request.payload.data.get("device_code"))
        if credential is not None:
            credential["polls"] += 1
        try:
            super().validate_token_request()
        except Exception as error:  # the poll's answer, logged before it is sent
            POLLS.append({"at": time.time(), "answer": getattr(error, "error", "error")})
            raise
        POLLS.append({"at": time.time(), "answer": "token"})


class DeviceEndpoint(DeviceAuthorizationEndpoint):
    def get_verification_uri(self):
        return ISSUER + "/device"

    def save_device_credential(self, client_id, scope, data):
        COUNTS["device_authorization"] += 1
        issued(data["device_code"])
        DEVICES[data["device_code"]] = Record(client_id=client_id, scope=scope, user_code=data["user_code"],
                                              expires_at=time.time() + data["expires_in"], polls=0, last_poll=0,
                                              interval=data["interval"])


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic"]

    def query_token(self, token_string, token_type_hint):
        return TOKENS.get(token_string)

    def introspect_token(self, token):
        return {"active": True, "client_id": token["client_id"], "scope": token.get("scope") or "",
                "exp": token["expires_at"], "token_type": "Bearer", "iss": ISSUER}

    def check_permission(self, token, client, request):
        return client.client_id == RS_CLIENT[0]

    def create_introspection_payload(self, token):
        if not token or token.get("revoked") or token["expires_at"] < time.time():
            return {"active": False}
        return self.introspect_token(token)


def query_client(client_id):
    """A registered client, or with `--cimd` a Client ID Metadata Document fetched from the URL that is its id."""
    if client_id in CLIENTS or not (OPTIONS.cimd and client_id.startswith("http")):
        return CLIENTS.get(client_id)
    try:
        with urllib.request.urlopen(client_id, timeout=5) as reply:
            document = json.loads(reply.read())
    except (OSError, ValueError):
        return None
    COUNTS["metadata_document"] += 1
    if document.get("client_id") != client_id:
        return None
    return Client(client_id, None, dict(document, token_endpoint_auth_method="none"))


def save_token(token, request):
    issued(token.get("access_token"), token.get("refresh_token"))
    TOKENS[token["access_token"]] = dict(token, client_id=request.client.client_id,
                                         expires_at=int(time.time()) + token.get("expires_in", 3600))


def build_authorization_server() -> Flask:
    app = Flask("authlib-as")
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {grant: OPTIONS.token_seconds for grant in
                                             ("authorization_code", "refresh_token", DEVICE_CODE_GRANT_TYPE)}
    app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True
    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_grant(CodeGrant, [CodeChallenge(required=True)])
    server.register_grant(RefreshGrant)
    server.register_grant(DeviceGrant)
    DeviceEndpoint.INTERVAL = OPTIONS.interval
    DeviceEndpoint.EXPIRES_IN = OPTIONS.device_seconds
    server.register_endpoint(DeviceEndpoint)
    server.register_endpoint(Registration)
    server.register_endpoint(Introspection)
    issuer_parameter = IssuerParameter()
    issuer_parameter.get_issuer = lambda: ISSUER
    server.register_extension(issuer_parameter)
    CLIENTS[RS_CLIENT[0]] = Client(RS_CLIENT[0], RS_CLIENT[1], {"token_endpoint_auth_method": "client_secret_basic"})

    @app.get("/.well-known/oauth-authorization-server")
    def metadata():
        return jsonify(METADATA)

    @app.get("/authorize")
    def authorize():
        COUNTS["authorize"] += 1
        return server.create_authorization_response(grant_user=None if OPTIONS.deny else USER)

    @app.post("/token")
    def token():
        COUNTS["token:" + request.form.get("grant_type", "?")] += 1
        return server.create_token_response()

    @app.post("/device_authorization")
    def device_authorization():
        return server.create_endpoint_response("device_authorization")

    @app.post("/register")
    def register():
        return server.create_endpoint_response("client_registration")

    @app.post("/introspect")
    def introspect():
        COUNTS["introspect"] += 1
        return server.create_endpoint_response("introspection")

    @app.route("/device", methods=["GET", "POST"])
    def verification_page():
        code = (request.values.get("user_code") or "").strip().upper()
        known = any(record["user_code"] == code for record in DEVICES.values())
        if request.method == "GET":
            return (f"<form method=post><input name=user_code value='{code if known else ''}'>"
                    "<button name=action value=approve>Approve</button>"
                    "<button name=action value=deny>Deny</button></form>")
        if not known:
            return "unknown code", 404
        USER_GRANTS[code] = request.form.get("action") == "approve"
        COUNTS["device:" + request.form.get("action", "?")] += 1
        return "done"

    return app


class IntrospectingVerifier:
    """The resource server's check of each token: RFC 7662 introspection at the authorization server."""

    async def verify_token(self, token: str) -> AccessToken | None:
        import asyncio
        return await asyncio.to_thread(self._introspect, token)

    @staticmethod
    def _introspect(token: str) -> AccessToken | None:
        body = urllib.parse.urlencode({"token": token}).encode()
        req = urllib.request.Request(ISSUER + "/introspect", data=body, method="POST")
        import base64
        req.add_header("Authorization", "Basic " + base64.b64encode(":".join(RS_CLIENT).encode()).decode())
        with urllib.request.urlopen(req, timeout=10) as reply:
            answer = json.loads(reply.read())
        if not answer.get("active"):
            return None
        return AccessToken(token=token, client_id=answer["client_id"], scopes=answer["scope"].split(),
                           expires_at=answer["exp"])


def build_resource_server(base: str):
    path = "/sse" if OPTIONS.transport == "sse" else "/mcp"
    server = MCPServer("authlib-resource-server", log_level="WARNING", token_verifier=IntrospectingVerifier(),
                       auth=AuthSettings(issuer_url=ISSUER, resource_server_url=base + path, required_scopes=[]))

    @server.tool()
    def echo(text: str) -> str:
        """Return `text` unchanged."""
        return text

    def revoke_all():
        for token in TOKENS.values():
            token["revoked"] = True
        return {"revoked": len(TOKENS)}

    documents: dict[str, bytes] = {}

    @server.custom_route("/documents/{name}", methods=["GET", "PUT"])
    async def document(request: Request):
        """A static host for a Client ID Metadata Document: the test PUTs it, the authorization server GETs it."""
        name = request.path_params["name"]
        if request.method == "PUT":
            documents[name] = await request.body()
            return JSONResponse({"stored": name})
        if name not in documents:
            return JSONResponse({"error": "not found"}, status_code=404)
        return Response(documents[name], media_type="application/json")

    hooks = (("_counts", lambda: dict(COUNTS)), ("_polls", lambda: POLLS), ("_secrets", lambda: SECRETS),
             ("_revoke_all", revoke_all))
    for name, value in hooks:
        def route(_: Request, value=value) -> JSONResponse:
            return JSONResponse(value())
        server.custom_route("/" + name, methods=["GET"])(route)
    security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    if OPTIONS.transport == "sse":
        return server.sse_app(transport_security=security)
    return server.streamable_http_app(streamable_http_path="/mcp", transport_security=security)


def main() -> int:
    global OPTIONS, ISSUER, METADATA
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--transport", choices=["streamable", "sse"], default="streamable")
    parser.add_argument("--token-seconds", type=int, default=3600)
    parser.add_argument("--interval", type=int, default=1, help="the device flow's polling interval")
    parser.add_argument("--slow-down-at", type=int, default=0, help="answer the N-th device poll slow_down")
    parser.add_argument("--device-seconds", type=int, default=600, help="the device code's lifetime")
    parser.add_argument("--no-device", action="store_true", help="advertise no device_authorization_endpoint")
    parser.add_argument("--no-s256", action="store_true", help="advertise no code_challenge_methods_supported")
    parser.add_argument("--deny", action="store_true", help="the user refuses the authorization code flow")
    parser.add_argument("--as-down", action="store_true", help="the authorization server is not running")
    parser.add_argument("--cimd", action="store_true", help="accept Client ID Metadata Document URLs as client_id")
    OPTIONS = parser.parse_args()

    as_sock = serving.listen("127.0.0.1", 0)
    ISSUER = f"http://127.0.0.1:{as_sock.getsockname()[1]}"
    if OPTIONS.as_down:  # the resource server still names it; nothing listens there
        as_sock.close()
    METADATA = {
        "issuer": ISSUER, "authorization_endpoint": ISSUER + "/authorize", "token_endpoint": ISSUER + "/token",
        "registration_endpoint": ISSUER + "/register", "introspection_endpoint": ISSUER + "/introspect",
        "response_types_supported": ["code"], "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
        "grant_types_supported": ["authorization_code", "refresh_token", DEVICE_CODE_GRANT_TYPE],
        "code_challenge_methods_supported": ["S256"], "authorization_response_iss_parameter_supported": True,
        "device_authorization_endpoint": ISSUER + "/device_authorization",
    }
    if OPTIONS.no_device:
        del METADATA["device_authorization_endpoint"]
    if OPTIONS.no_s256:
        del METADATA["code_challenge_methods_supported"]
    if OPTIONS.cimd:
        METADATA["client_id_metadata_document_supported"] = True
    if not OPTIONS.as_down:
        authorization_server = make_server("127.0.0.1", 0, build_authorization_server(), threaded=True,
                                           fd=as_sock.fileno())
        threading.Thread(target=authorization_server.serve_forever, daemon=True).start()

    sock = serving.listen("127.0.0.1", OPTIONS.port)
    return serving.serve(build_resource_server(f"http://127.0.0.1:{sock.getsockname()[1]}"), sock)


if __name__ == "__main__":
    lifeline.watch()
    sys.exit(main())
