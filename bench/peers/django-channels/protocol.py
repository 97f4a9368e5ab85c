"""What the consumer and the views share: configuration, the HS256 token check (PyJWT), the
per-process epoch and channel offsets, and how a channel name maps onto a Channels group."""

import functools
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import time
from typing import Any, Dict, Optional

import jwt

JWT_SECRET = os.environ.get("PEER_JWT_SECRET", "")
API_KEY = os.environ.get("PEER_API_KEY", "")
if not JWT_SECRET or not API_KEY:
    raise SystemExit("peer: PEER_JWT_SECRET and PEER_API_KEY are required")

# The same numbers as Gatehouse's defaults (docs/protocol.md, docs/configuration.md).
HEARTBEAT_INTERVAL_MS = 25_000
CLOCK_SKEW_S = 30  # auth.jwt.clock_skew
MAX_MESSAGE_BYTES = 64 * 1024  # limits.max_message_bytes
CHANNEL_NAME = re.compile(r"[A-Za-z0-9_\-.:@#,]{1,255}\Z")
CHANNEL_HINT = "channel must be a channel name (A-Z a-z 0-9 _ - . : @ # , at most 255)"

# One epoch per process: there is no history, so every channel's stream starts anew on restart.
EPOCH = secrets.token_hex(4)

# The last offset of each channel. A channel keeps its offset after its last subscriber leaves.
offsets: Dict[str, int] = {}

# Compact, UTF-8 as is: the same bytes JSON.stringify gives.
dumps = functools.partial(json.dumps, separators=(",", ":"), ensure_ascii=False)


def group_name(channel: str) -> str:
    """Channels allows only ASCII letters, digits, '-', '_' and '.' in group names, under 100."""
    return "peer." + hashlib.sha256(channel.encode()).hexdigest()


def now_millis() -> int:
    return time.time_ns() // 1_000_000


def iso_millis(epoch_ms: int) -> str:
    """The instant as JavaScript's Date.toISOString() spells it: 2026-12-02T21:07:57.000Z."""
    seconds, millis = divmod(epoch_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


class Refusal(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def verify_token(token: Optional[str]) -> Dict[str, Any]:
    """The token's claims plus expires_at; alg HS256 only, sub and exp required, nbf when present."""
    if not token:
        raise Refusal("TOKEN_MISSING")
    try:
        claims = jwt.decode(
            token, JWT_SECRET, algorithms=["HS256"], leeway=CLOCK_SKEW_S, options={"require": ["exp", "sub"]}
        )
    except jwt.ExpiredSignatureError:
        raise Refusal("TOKEN_EXPIRED") from None
    except jwt.InvalidTokenError:
        raise Refusal("TOKEN_INVALID") from None
    sub, name, roles = claims.get("sub"), claims.get("name"), claims.get("roles")
    if not isinstance(sub, str) or sub == "":
        raise Refusal("TOKEN_INVALID")
    if name is not None and not isinstance(name, str):
        raise Refusal("TOKEN_INVALID")
    if roles is not None and not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
        raise Refusal("TOKEN_INVALID")
    try:
        claims["expires_at"] = iso_millis(math.trunc(claims["exp"] * 1000))
    except (OverflowError, ValueError, OSError):
        raise Refusal("TOKEN_INVALID") from None
    return claims


API_KEY_DIGEST = hashlib.sha256(API_KEY.encode()).digest()


def api_key_refusal(header: Optional[str]) -> Optional[str]:
    """None for the right `Authorization: apikey <key>`, else TOKEN_MISSING or TOKEN_INVALID."""
    if not header:
        return "TOKEN_MISSING"
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "apikey":
        return "TOKEN_INVALID"
    digest = hashlib.sha256(key.strip().encode()).digest()
    return None if hmac.compare_digest(digest, API_KEY_DIGEST) else "TOKEN_INVALID"
