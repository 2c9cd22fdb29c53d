"""AWS STS for sigv4_verifier.py: `POST /sts/TAG/EXPIRES/VALID`, a form-encoded Query API call as AWS's SDKs send it.

  Action=AssumeRole                 SigV4-signed for service `sts` (any region; the one signed for is recorded) with
                                    a key the verifier knows — a registered one or one this stand-in minted, so role
                                    chains work — checked by botocore like every other request
  Action=AssumeRoleWithWebIdentity  unsigned; WebIdentityToken must start with `wit-` (a stand-in for the JWT)

Both need Version=2011-06-15, a RoleArn `arn:aws:iam::<12 digits>:role/<name>` and a RoleSessionName of 2-64
characters from `[\\w+=,.@-]`, and answer with STS's XML: a key minted under TAG (accepted by the verifier for VALID
seconds, with an Expiration EXPIRES seconds ahead), or an `<ErrorResponse>` the way STS writes one. A role whose name
starts with `Denied` is refused with AccessDenied, as STS refuses a role whose trust policy does not name the caller.
Each call is recorded under TAG (action, parameters, the signing key, the region, the token, the key issued).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

VERSION = "2011-06-15"
ROLE_ARN = re.compile(r"^arn:aws:iam::\d{12}:role/[\w+=,.@/-]+$")
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")


class STSError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_document(error: STSError) -> bytes:
    kind = "Sender" if error.status < 500 else "Receiver"
    return (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/{VERSION}/"><Error><Type>{kind}</Type>'
            f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message></Error>"
            "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>").encode()


def credentials_document(action: str, role_arn: str, session: str, minted: dict) -> bytes:
    account, role = role_arn.split(":")[4], role_arn.rsplit("/", 1)[-1]
    return (f'<{action}Response xmlns="https://sts.amazonaws.com/doc/{VERSION}/"><{action}Result>'
            f"<AssumedRoleUser><AssumedRoleId>AROA0000000000EXAMPLE:{escape(session)}</AssumedRoleId>"
            f"<Arn>arn:aws:sts::{account}:assumed-role/{escape(role)}/{escape(session)}</Arn></AssumedRoleUser>"
            f"<Credentials><AccessKeyId>{minted['AccessKeyId']}</AccessKeyId>"
            f"<SecretAccessKey>{escape(minted['SecretAccessKey'])}</SecretAccessKey>"
            f"<SessionToken>{escape(minted['SessionToken'])}</SessionToken>"
            f"<Expiration>{minted['Expiration']}</Expiration></Credentials>"
            f"</{action}Result><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000001</RequestId>"
            f"</ResponseMetadata></{action}Response>").encode()


class STSStandIn:
    """`verify(scope, headers, body, region, service)` is the verifier's botocore check; `keys` its key table."""

    def __init__(self, verify, keys, refused_as) -> None:
        self.verify, self.keys, self.refused_as = verify, keys, refused_as
        self.calls: list[dict] = []

    def calls_for(self, tag: str) -> list[dict]:
        return [call for call in self.calls if call["tag"] == tag]

    def handle(self, scope, headers: list[tuple[str, str]], body: bytes, tag: str, expires: float,
               valid: float) -> tuple[int, bytes]:
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        call = {"tag": tag, "action": form.get("Action"), "role_arn": form.get("RoleArn"),
                "session_name": form.get("RoleSessionName"), "external_id": form.get("ExternalId"),
                "duration": form.get("DurationSeconds"), "token": form.get("WebIdentityToken")}
        self.calls.append(call)
        try:
            minted = self.answer(scope, headers, body, form, call, tag, expires, valid)
        except STSError as error:
            call["error"] = error.code
            return error.status, error_document(error)
        call["issued"] = minted["AccessKeyId"]
        return 200, credentials_document(form["Action"], form["RoleArn"], form["RoleSessionName"], minted)

    def answer(self, scope, headers, body, form: dict, call: dict, tag: str, expires: float, valid: float) -> dict:
        if scope["method"] != "POST" or not dict(headers).get("content-type", "").startswith(
                "application/x-www-form-urlencoded"):
            raise STSError(400, "InvalidAction", "STS takes form-encoded POSTs.")
        action = form.get("Action")
        if action == "AssumeRole":
            self.check_signature(scope, headers, body, call)
        elif action == "AssumeRoleWithWebIdentity":
            if any(name == "authorization" for name, _ in headers):
                raise STSError(400, "InvalidAction", "AssumeRoleWithWebIdentity is not signed.")
            if not (form.get("WebIdentityToken") or "").startswith("wit-"):
                raise STSError(400, "InvalidIdentityToken", "The web identity token that was passed is invalid.")
        else:
            raise STSError(400, "InvalidAction", f"Could not find operation {action} for version {form.get('Version')}")
        if form.get("Version") != VERSION:
            raise STSError(400, "InvalidAction", f"Version {form.get('Version')} is not {VERSION}.")
        if not ROLE_ARN.match(form.get("RoleArn") or ""):
            raise STSError(400, "ValidationError", "1 validation error detected: Value at 'roleArn' failed to "
                           "satisfy constraint: Member must be an IAM role ARN")
        if not SESSION_NAME.match(form.get("RoleSessionName") or ""):
            raise STSError(400, "ValidationError", "1 validation error detected: Value at 'roleSessionName' "
                           "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                           "[\\w+=,.@-]*")
        if form["RoleArn"].rsplit("/", 1)[-1].startswith("Denied"):
            who = call.get("source_key") or "the web identity"
            raise STSError(403, "AccessDenied", f"User: {who} is not authorized to perform: sts:{action} on "
                           f"resource: {form['RoleArn']}")
        return self.keys.mint(tag, "sts", expires, valid)

    def check_signature(self, scope, headers, body, call: dict) -> None:
        auth = dict(headers).get("authorization", "")
        scope_parts = auth.partition("Credential=")[2].partition(",")[0].split("/")
        if len(scope_parts) != 5 or scope_parts[3] != "sts":
            raise STSError(403, "IncompleteSignature", "The request must be signed for service sts.")
        call["region"] = scope_parts[2]
        call["source_key"] = scope_parts[0]
        try:
            self.verify(scope, headers, body, scope_parts[2], "sts")
        except self.refused_as as refusal:
            code = "ExpiredToken" if "Expired" in refusal.error_type else (
                "InvalidClientTokenId" if "Unrecognized" in refusal.error_type else "SignatureDoesNotMatch")
            raise STSError(403, code, refusal.message) from None
