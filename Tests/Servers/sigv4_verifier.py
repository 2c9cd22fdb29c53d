#!/usr/bin/env python3
"""An AWS SigV4 checkpoint in front of the real MCP server (mcp_server.py's SDK app), for mcp-bridge's --aws-sigv4 tests.

    python sigv4_verifier.py --region us-west-2 --service bedrock-agentcore [--mode stateless|stateful]
                             [--key AKID:SECRET[:TOKEN[:VALID_SECONDS]]] ... [--port 0]

Every request outside the stand-in and control paths must carry a SigV4 signature that botocore's own `SigV4Auth`
(an implementation independent of the bridge's) recomputes to the same value from what arrived: the raw path as
sent, the query parameters in any order, the headers the client listed, the body. Anything else is refused the
way AWS refuses it: HTTP 403 with `x-amzn-ErrorType` and a JSON `message` (wrong region or service, unknown or
expired key, missing or unsigned headers, a stale date, a bad signature). Verified requests go to the MCP app at
`/mcp`, whatever path they were signed for (an AgentCore Runtime ARN path, say), except:

  /redirect/<rest>   answered 307 to /<rest> (same query): the next hop must be signed for its own URL
  /flaky/<rest>      every other request answered 503 (Retry-After: 0): the retry must be signed afresh

Many tests share one verifier: each names itself with a TAG, registers its keys under it and reads back only its
own traffic. Credential stand-ins, unsigned, each minting a new temporary key per call under TAG (accepted by this
verifier for VALID seconds, reported with an `Expiration` EXPIRES seconds ahead):
  GET  /mint/TAG/EXPIRES/VALID                     a credential_process document (Version 1)
  GET  /container/TAG/EXPIRES/VALID                ECS/EKS container endpoint (needs `Authorization: container-token`)
  PUT  /imds/TAG/EXPIRES/VALID/latest/api/token    IMDSv2, then GET …/latest/meta-data/iam/security-credentials/[role]
  GET  /sso/TAG/EXPIRES/VALID/federation/credentials   the SSO portal (needs `x-amz-sso_bearer_token: sso-token`)
  POST /sts/TAG/EXPIRES/VALID                      AWS STS: AssumeRole, AssumeRoleWithWebIdentity (sts_stand_in.py)
Control: GET /_sigv4/register/TAG/AKID/SECRET[/TOKEN] adds a key; GET /_sigv4/expire/AKID refuses that key as
expired from now on; GET /_sigv4/stats/TAG → {"verified": [...], "refused": [...], "minted": {"container": n, ...},
"sts": [the STS calls]}.
Minted secrets start with `minted-secret-` and tokens with `tok-`, so a test can look for either in a log.

Binds 127.0.0.1 itself, prints `LISTENING <port>`, logs to stderr; SIGTERM ends it with status 0.
"""

from __future__ import annotations

import argparse
import datetime
import hmac
import json
import secrets
import sys
import time
from urllib.parse import unquote

sys.path.insert(0, __import__("os").path.dirname(__file__))
import lifeline  # noqa: E402
import serving  # noqa: E402
from mcp_server import build_server  # noqa: E402
from sts_stand_in import STSStandIn  # noqa: E402

from botocore.auth import SIGNED_HEADERS_BLACKLIST, SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from mcp.server.transport_security import TransportSecuritySettings  # noqa: E402

MCP_PATH = "/mcp"
# Headers libcurl adds on its own and the bridge therefore cannot sign; every other header that arrives must be signed.
CLIENT_ADDED = {"content-length", "accept-encoding", "authorization"}
# Left unsigned by newer botocore releases (their SIGNED_HEADERS_BLACKLIST has it; the pinned one predates that) and
# by the bridge, which sends it on every POST: a tracing proxy may rewrite it, and AWS checks only what is signed.
UNSIGNED_TRACE = {"traceparent"}


class Keys:
    """Access key id → (secret, session token, accepted until); minted keys are temporary. Each key has a tag."""

    def __init__(self) -> None:
        self.table: dict[str, tuple[str, str | None, float | None]] = {}
        self.tags: dict[str, str] = {}
        self.minted: dict[tuple[str, str], int] = {}

    def add(self, spec: str, tag: str = "") -> None:
        parts = spec.split(":")
        valid = float(parts[3]) if len(parts) > 3 and parts[3] else None
        self.table[parts[0]] = (parts[1], parts[2] if len(parts) > 2 and parts[2] else None,
                                time.time() + valid if valid is not None else None)
        self.tags[parts[0]] = tag

    def expire(self, key: str) -> None:
        """From now on `key` is refused as expired (a revoked or timed-out temporary key)."""
        secret, token, _ = self.table[key]
        self.table[key] = (secret, token, 0.0)

    def mint(self, tag: str, source: str, expires: float, valid: float) -> dict:
        self.minted[(tag, source)] = self.minted.get((tag, source), 0) + 1
        key = "ASIA" + source.upper()[:4] + secrets.token_hex(6).upper()
        secret, token = "minted-secret-" + secrets.token_urlsafe(30), "tok-" + secrets.token_urlsafe(40)
        self.table[key] = (secret, token, time.time() + valid)
        self.tags[key] = tag
        expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=expires)
        return {"Version": 1, "AccessKeyId": key, "SecretAccessKey": secret, "SessionToken": token,
                "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ")}


class Refused(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


def parse_authorization(value: str) -> dict[str, str]:
    if not value.startswith("AWS4-HMAC-SHA256 "):
        raise Refused("IncompleteSignatureException", "Authorization header requires the AWS4-HMAC-SHA256 scheme.")
    fields = {}
    for part in value[len("AWS4-HMAC-SHA256 "):].split(","):
        name, _, text = part.strip().partition("=")
        fields[name] = text
    if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
        raise Refused("IncompleteSignatureException", f"Authorization header is incomplete: {sorted(fields)}")
    return fields


class Verifier:
    def __init__(self, region: str, service: str, keys: Keys) -> None:
        self.region, self.service, self.keys = region, service, keys
        self.verified: list[dict] = []
        self.refused: list[dict] = []

    def verify(self, scope: dict, headers: list[tuple[str, str]], body: bytes) -> dict:
        """Raises Refused, or returns what was verified (key, method, raw path, signed headers)."""
        names = {name for name, _ in headers}
        auth = next((value for name, value in headers if name == "authorization"), None)
        if auth is None:
            raise Refused("MissingAuthenticationTokenException", "Missing Authentication Token")
        fields = parse_authorization(auth)
        key, date, region, service, terminal = (fields["Credential"].split("/") + [""] * 5)[:5]
        if terminal != "aws4_request":
            raise Refused("IncompleteSignatureException", "Credential scope must end in aws4_request.")
        if region != self.region:
            raise Refused("InvalidSignatureException", "Credential should be scoped to a valid region. ")
        if service != self.service:
            raise Refused("InvalidSignatureException", f"Credential should be scoped to correct service: '{self.service}'. ")
        if key not in self.keys.table:
            raise Refused("UnrecognizedClientException", "The security token included in the request is invalid.")
        secret, token, until = self.keys.table[key]
        sent_token = next((value for name, value in headers if name == "x-amz-security-token"), None)
        if sent_token != token:
            raise Refused("UnrecognizedClientException", "The security token included in the request is invalid.")
        if until is not None and time.time() > until:
            raise Refused("ExpiredTokenException", "The security token included in the request is expired")
        amz_date = next((value for name, value in headers if name == "x-amz-date"), "")
        try:
            signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            raise Refused("IncompleteSignatureException", "X-Amz-Date is missing or malformed.") from None
        if abs((datetime.datetime.now(datetime.timezone.utc) - signed_at).total_seconds()) > 300 or date != amz_date[:8]:
            raise Refused("InvalidSignatureException", "Signature expired or not yet valid (X-Amz-Date).")
        signed = fields["SignedHeaders"].split(";")
        must_sign = {n for n in names if n not in CLIENT_ADDED | UNSIGNED_TRACE and n not in SIGNED_HEADERS_BLACKLIST}
        if dict(headers).get("accept") == "*/*":
            must_sign.discard("accept")  # libcurl's default when the request names none (the session DELETE)
        if (must_sign | {"host", "x-amz-date"}) - set(signed):
            raise Refused("InvalidSignatureException",
                          f"Headers sent but not signed: {sorted((must_sign | {'host', 'x-amz-date'}) - set(signed))}")
        request = AWSRequest(method=scope["method"], url="http://" + dict(headers)["host"]
                             + scope["raw_path"].decode("latin-1"), data=body)
        query = scope.get("query_string", b"").decode("latin-1")
        request.params = [(unquote(k), unquote(v)) for k, _, v in (p.partition("=") for p in query.split("&") if p)]
        for name, value in headers:
            if name in signed:
                request.headers[name] = value
        request.context["timestamp"] = amz_date
        signer = SigV4Auth(Credentials(key, secret, token), self.service, self.region)
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if not hmac.compare_digest(expected, fields["Signature"]):
            print(f"sigv4_verifier: mismatch; canonical request was:\n{canonical}", file=sys.stderr, flush=True)
            raise Refused("InvalidSignatureException", "The request signature we calculated does not match the "
                          "signature you provided. Check your AWS Secret Access Key and signing method.")
        return {"key": key, "method": scope["method"], "raw_path": scope["raw_path"].decode("latin-1"),
                "query": query, "signed_headers": signed, "date": amz_date, "token": token is not None}


def refusal_key(headers: list[tuple[str, str]]) -> str:
    """The access key id a refused request named, if it named one (to file the refusal under its test)."""
    auth = next((value for name, value in headers if name == "authorization"), "")
    credential = auth.partition("Credential=")[2]
    return credential.partition("/")[0]


async def read_body(receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def respond(send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", str(len(body)).encode())] + (headers or [])})
    await send({"type": "http.response.body", "body": body})


def json_reply(send, status: int, document) -> object:
    return respond(send, status, json.dumps(document).encode(), [(b"content-type", b"application/json")])


def make_app(app, verifier: Verifier, keys: Keys):
    flaky = {"count": 0}
    sts = STSStandIn(lambda scope, headers, body, region, service: Verifier(region, service, keys).verify(
        scope, headers, body), keys, Refused)

    async def stand_in(scope, receive, send, parts: list[str], headers: dict[str, str]) -> None:
        kind, tag, expires, valid = parts[0], parts[1], float(parts[2]), float(parts[3])
        rest = "/" + "/".join(parts[4:])
        if scope["path"].endswith("/") and rest != "/":
            rest += "/"
        if kind == "mint":
            return await json_reply(send, 200, keys.mint(tag, "process", expires, valid))
        if kind == "container":
            if headers.get("authorization") != "container-token":
                return await json_reply(send, 403, {"message": "bad container authorization token"})
            document = keys.mint(tag, "container", expires, valid)
            document["Token"] = document.pop("SessionToken")
            return await json_reply(send, 200, document)
        if kind == "imds":
            if rest == "/latest/api/token" and scope["method"] == "PUT":
                if "x-aws-ec2-metadata-token-ttl-seconds" not in headers:
                    return await respond(send, 400, b"missing ttl")
                return await respond(send, 200, b"imds-session-token")
            if headers.get("x-aws-ec2-metadata-token") != "imds-session-token":
                return await respond(send, 401, b"")
            if rest == "/latest/meta-data/iam/security-credentials/":
                return await respond(send, 200, b"mcp-bridge-test-role")
            if rest == "/latest/meta-data/iam/security-credentials/mcp-bridge-test-role":
                document = keys.mint(tag, "imds", expires, valid)
                document["Token"] = document.pop("SessionToken")
                document["Code"] = "Success"
                return await json_reply(send, 200, document)
        if kind == "sso" and rest == "/federation/credentials":
            if headers.get("x-amz-sso_bearer_token") != "sso-token":
                return await json_reply(send, 401, {"message": "Session token not found or invalid"})
            document = keys.mint(tag, "sso", expires, valid)
            expiration = datetime.datetime.strptime(document["Expiration"], "%Y-%m-%dT%H:%M:%SZ")
            millis = int(expiration.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
            return await json_reply(send, 200, {"roleCredentials": {
                "accessKeyId": document["AccessKeyId"], "secretAccessKey": document["SecretAccessKey"],
                "sessionToken": document["SessionToken"], "expiration": millis}})
        await respond(send, 404, b"no such stand-in")

    async def wrapped(scope, receive, send) -> None:
        if scope.get("type") != "http":
            return await app(scope, receive, send)
        path = scope["path"]
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]]
        parts = path.strip("/").split("/")
        if parts[0] == "sts" and len(parts) >= 4:
            status, document = sts.handle(scope, headers, await read_body(receive), parts[1], float(parts[2]),
                                          float(parts[3]))
            return await respond(send, status, document, [(b"content-type", b"text/xml")])
        if parts[0] in ("mint", "container", "imds", "sso") and len(parts) >= 4:
            await read_body(receive)
            return await stand_in(scope, receive, send, parts, dict(headers))
        if path.startswith("/_sigv4/expire/"):
            keys.expire(path[len("/_sigv4/expire/"):])
            return await respond(send, 204, b"")
        if path.startswith("/_sigv4/register/"):
            tag, key, secret, *token = path[len("/_sigv4/register/"):].split("/")
            keys.add(":".join([key, secret] + token), tag)
            return await respond(send, 204, b"")
        if path.startswith("/_sigv4/stats/"):
            tag = path[len("/_sigv4/stats/"):]
            return await json_reply(send, 200, {
                "verified": [v for v in verifier.verified if keys.tags.get(v["key"]) == tag],
                "refused": [r for r in verifier.refused if keys.tags.get(r["key"]) == tag],
                "minted": {source: n for (t, source), n in keys.minted.items() if t == tag},
                "sts": sts.calls_for(tag)})
        body = await read_body(receive)
        try:
            verifier.verified.append(verifier.verify(scope, headers, body))
        except Refused as refusal:
            verifier.refused.append({"type": refusal.error_type, "message": refusal.message, "path": path,
                                     "key": refusal_key(headers)})
            return await respond(
                send, 403, json.dumps({"message": refusal.message}).encode(),
                [(b"content-type", b"application/json"), (b"x-amzn-errortype", f"{refusal.error_type}:".encode())])
        if path.startswith("/redirect/"):
            query = scope.get("query_string", b"")
            target = path[len("/redirect"):] + ("?" + query.decode() if query else "")
            return await respond(send, 307, b"", [(b"location", target.encode())])
        if path.startswith("/flaky/"):
            flaky["count"] += 1
            if flaky["count"] % 2 == 1:
                return await respond(send, 503, b"try again", [(b"retry-after", b"0")])
        inner = dict(scope)
        inner["path"], inner["raw_path"] = MCP_PATH, MCP_PATH.encode()
        inner["query_string"] = b""
        replayed = {"done": False}

        async def replay():
            if not replayed["done"]:
                replayed["done"] = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await app(inner, replay, send)

    return wrapped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="us-west-2")
    parser.add_argument("--service", default="bedrock-agentcore")
    parser.add_argument("--mode", choices=["stateless", "stateful"], default="stateless")
    parser.add_argument("--key", action="append", default=[], help="AKID:SECRET[:TOKEN[:VALID_SECONDS]]")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    keys = Keys()
    for spec in args.key:
        keys.add(spec)
    server = build_server("sigv4")
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH, stateless_http=args.mode == "stateless",
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    asgi = make_app(app, Verifier(args.region, args.service, keys), keys)

    return serving.serve(asgi, serving.listen(args.host, args.port))


if __name__ == "__main__":
    lifeline.watch()
    sys.exit(main())
