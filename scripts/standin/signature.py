"""SDK-HMAC-SHA256 request signing, verified the way Huawei Cloud's API gateway documents it.

Written from the documented algorithm, independently of ``huaweicloudsdkcore``'s signer, so that a
test passing against the stand-in says something about the SDK's signatures rather than about a
shared implementation::

    Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b;c>, Signature=<hex>
    X-Sdk-Date: YYYYMMDDTHHMMSSZ                                  (UTC)

    canonical request = METHOD \\n canonical URI \\n canonical query \\n
                        <name:value\\n for each signed header> \\n signed-header list \\n hex sha256(body)
    string to sign    = "SDK-HMAC-SHA256" \\n X-Sdk-Date \\n hex sha256(canonical request)
    signature         = hex HMAC-SHA256(SK, string to sign)

The payload is always hashed: ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` is not honoured (the SDK
only sends it for non-JSON bodies, which CCE and SMN never use).

Refused like a bad signature (the server answers 401 ``APIG.0301``):

- an ``X-Sdk-Date`` more than 15 minutes away from the server's time, in the past or in the future. Huawei
  Cloud's API signing guide (https://support.huaweicloud.com/eu/devg-apisign/api-sign-provide01.html): the
  gateway checks X-Sdk-Date's format and its difference from the time it receives the request, and rejects
  the request when that difference exceeds 15 minutes (the Chinese edition: "如果时间差超过15分钟,API网关将
  拒绝请求"; APIG's FAQ on APIGW.0303 names the same cause, x-sdk-date and the server's time 15 min apart);
- a request with two ``Authorization`` headers, or two of any signed header (``X-Sdk-Date`` and, for a
  temporary key, ``X-Security-Token`` must be signed; which value was signed would be ambiguous), and an
  ``Authorization`` with a field twice, a field unknown, empty or missing;
- an algorithm other than ``SDK-HMAC-SHA256`` (exactly, case included);
- ``SignedHeaders`` without ``host`` and ``x-sdk-date``, with an empty, upper-case or repeated name;
- a ``Signature`` that is not 64 lower-case hex digits (what the SDK's signer writes).
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_CLOCK_SKEW = timedelta(minutes=15)
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True)
class Credential:
    """An access key pair; the secret parts never show in ``repr``."""

    ak: str
    sk: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)


class SignatureError(Exception):
    """The request is not correctly signed; ``reason`` is safe to show (no secrets)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_uri(path: str) -> str:
    """Each segment of the unquoted path re-encoded (only ``~`` kept), always ending in ``/``."""
    encoded = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    return encoded if encoded.endswith("/") else encoded + "/"


def canonical_query(query: str) -> str:
    """Sorted ``key=value`` pairs of the raw query string, both sides re-encoded."""
    pairs = []
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in sorted(pairs))


def canonical_request(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    body: bytes,
) -> str:
    """``headers`` must be keyed by lowercase name and hold every signed header."""
    header_lines = "".join(f"{name}:{headers[name].strip()}\n" for name in signed_headers)
    body_hash = hashlib.sha256(body).hexdigest() if body else EMPTY_BODY_SHA256
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query),
            header_lines,
            ";".join(signed_headers),
            body_hash,
        ]
    )


def string_to_sign(sdk_date: str, canonical: str) -> str:
    return f"{ALGORITHM}\n{sdk_date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"


def compute_signature(sk: str, to_sign: str) -> str:
    return hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def sign(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    credential: Credential,
    when: datetime | None = None,
) -> dict[str, str]:
    """Headers to send: ``headers`` (which must include Host) plus X-Sdk-Date, token and Authorization.

    Every given header whose name has no ``_`` is signed, as the SDK does.
    """
    moment = when or datetime.now(timezone.utc)
    out = dict(headers)
    out["X-Sdk-Date"] = moment.strftime(DATE_FORMAT)
    if credential.security_token:
        out["X-Security-Token"] = credential.security_token
    lowered = {name.lower(): value for name, value in out.items() if "_" not in name}
    if "host" not in lowered:
        raise ValueError("a Host header is required to sign a request")
    signed = sorted(lowered)
    canonical = canonical_request(method, path, query, lowered, signed, body)
    signature = compute_signature(credential.sk, string_to_sign(out["X-Sdk-Date"], canonical))
    out["Authorization"] = (
        f"{ALGORITHM} Access={credential.ak}, SignedHeaders={';'.join(signed)}, Signature={signature}"
    )
    return out


@dataclass(frozen=True)
class _Authorization:
    access: str
    signed_headers: tuple[str, ...]
    signature: str


def _parse_authorization(value: str | None) -> _Authorization:
    if not value:
        raise SignatureError("missing Authorization header")
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureError(f"unsupported signing algorithm, expected {ALGORITHM}")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, _, content = part.strip().partition("=")
        if not content or name in fields:  # no '=' leaves the content empty too
            raise SignatureError("malformed Authorization header")
        fields[name] = content
    if set(fields) != {"Access", "SignedHeaders", "Signature"}:
        raise SignatureError("malformed Authorization header")
    signed = tuple(fields["SignedHeaders"].split(";"))
    if any(not name or name != name.lower() for name in signed) or len(set(signed)) != len(signed):
        raise SignatureError("malformed SignedHeaders in Authorization header")
    signature = fields["Signature"]
    if len(signature) != 64 or any(c not in "0123456789abcdef" for c in signature):
        raise SignatureError("malformed Signature in Authorization header")
    return _Authorization(fields["Access"], signed, signature)


def _check_date(value: str | None, now: datetime) -> None:
    if not value:
        raise SignatureError("missing X-Sdk-Date header")
    try:
        moment = datetime.strptime(value, DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise SignatureError("malformed X-Sdk-Date header, expected YYYYMMDDTHHMMSSZ") from None
    if moment - now > MAX_CLOCK_SKEW:
        raise SignatureError("X-Sdk-Date is more than 15 minutes ahead of the server time")
    if now - moment > MAX_CLOCK_SKEW:
        raise SignatureError("X-Sdk-Date is more than 15 minutes behind the server time")


def _check_token(credential: Credential, headers: Mapping[str, str], signed: Sequence[str]) -> None:
    if not credential.security_token:
        return
    token = headers.get("x-security-token")
    if token is None:
        raise SignatureError("missing X-Security-Token header for a temporary access key")
    if not hmac.compare_digest(token.strip().encode(), credential.security_token.encode()):
        raise SignatureError("X-Security-Token does not belong to the access key")
    if "x-security-token" not in signed:
        raise SignatureError("X-Security-Token is not among the signed headers")


def verify(
    method: str,
    path: str,
    query: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    credentials: Mapping[str, Credential],
    now: datetime | None = None,
) -> Credential:
    """Return the credential that signed the request, or raise :class:`SignatureError`.

    ``path`` and ``query`` are the raw (still percent-encoded) parts of the request target.
    """
    pairs = [(name.lower(), value) for name, value in headers]
    lowered = dict(pairs)
    counts = Counter(name for name, _ in pairs)
    if counts["authorization"] > 1:  # X-Sdk-Date and X-Security-Token must be signed: see the check below
        raise SignatureError("more than one authorization header")
    auth = _parse_authorization(lowered.get("authorization"))
    credential = credentials.get(auth.access)
    if credential is None:
        raise SignatureError("unknown access key")
    _check_date(lowered.get("x-sdk-date"), now or datetime.now(timezone.utc))
    for required in ("host", "x-sdk-date"):
        if required not in auth.signed_headers:
            raise SignatureError(f"{required} is not among the signed headers")
    missing = [name for name in auth.signed_headers if name not in lowered]
    if missing:
        raise SignatureError(f"signed header {missing[0]} is not in the request")
    repeated = [name for name in auth.signed_headers if counts[name] > 1]
    if repeated:
        raise SignatureError(f"more than one {repeated[0]} header")
    _check_token(credential, lowered, auth.signed_headers)
    canonical = canonical_request(method, path, query, lowered, auth.signed_headers, body)
    expected = compute_signature(credential.sk, string_to_sign(lowered["x-sdk-date"], canonical))
    if not hmac.compare_digest(expected, auth.signature):
        raise SignatureError("signature does not match the request")
    return credential
