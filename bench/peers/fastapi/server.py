"""Benchmark peer for Gatehouse (issue 16): FastAPI + uvicorn speaking the protocol subset of the
Node.js peer (bench/peers/node-ws, docs/protocol.md). A yardstick, not a product: written the way
a competent FastAPI user would write it, without features the benchmarks do not use.

    PEER_JWT_SECRET=... PEER_API_KEY=... python3 server.py
"""

import functools
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import sys
import time
from typing import Any, Dict, Optional, Set

import jwt
import uvicorn
import websockets
from fastapi import FastAPI, Header, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictStr, validator


def fail(message: str) -> None:
    sys.stderr.write(f"peer: {message}\n")
    sys.exit(2)


HOST = "127.0.0.1"
PORT_TEXT = os.environ.get("PEER_PORT") or "8090"
JWT_SECRET = os.environ.get("PEER_JWT_SECRET", "")
API_KEY = os.environ.get("PEER_API_KEY", "")

if __name__ == "__main__":
    if not JWT_SECRET:
        fail("PEER_JWT_SECRET is required (the HS256 secret of the client tokens)")
    if not API_KEY:
        fail("PEER_API_KEY is required (the key of Authorization: apikey <key> on POST /api/v1/publish)")
    if not PORT_TEXT.isdigit() or not 1 <= int(PORT_TEXT) <= 65535:
        fail(f"PEER_PORT must be a port number from 1 to 65535, not '{PORT_TEXT}'")

# The same numbers as Gatehouse's defaults (docs/protocol.md, docs/configuration.md).
HEARTBEAT_INTERVAL_MS = 25_000
CLOCK_SKEW_S = 30  # auth.jwt.clock_skew
MAX_MESSAGE_BYTES = 64 * 1024  # limits.max_message_bytes (websockets closes with 1009 past it)
CHANNEL_NAME = re.compile(r"[A-Za-z0-9_\-.:@#,]{1,255}\Z")
CHANNEL_HINT = "channel must be a channel name (A-Z a-z 0-9 _ - . : @ # , at most 255)"

# Compact, UTF-8 as is: the same bytes JSON.stringify gives.
dumps = functools.partial(json.dumps, separators=(",", ":"), ensure_ascii=False)

# One epoch per process: there is no history, so every channel's stream starts anew on restart.
EPOCH = secrets.token_hex(4)


def iso_millis(epoch_ms: int) -> str:
    """The instant as JavaScript's Date.toISOString() spells it: 2026-12-02T21:07:57.000Z."""
    seconds, millis = divmod(epoch_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


# ------------------------------------------------------------------------------------------------
# HS256 JWT (PyJWT): alg HS256 only, sub and exp required, nbf checked when present, 30 s skew.


class Refusal(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def verify_token(token: Optional[str]) -> Dict[str, Any]:
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


# ------------------------------------------------------------------------------------------------
# Channels: name -> subscribers, and name -> last offset. A channel keeps its offset after its last
# subscriber leaves, so offsets go on 1, 2, 3 ... for the life of the process.

subscribers: Dict[str, Set[WebSocket]] = {}
offsets: Dict[str, int] = {}


async def publish(channel: str, data: Any) -> int:
    """Encodes the message frame once and sends the same text to every subscriber, one by one."""
    offset = offsets.get(channel, 0) + 1
    offsets[channel] = offset
    frame = dumps(
        {
            "type": "message",
            "channel": channel,
            "offset": offset,
            "epoch": EPOCH,
            "data": data,
            "published_at": iso_millis(time.time_ns() // 1_000_000),
        }
    )
    for ws in list(subscribers.get(channel, ())):
        try:
            await ws.send_text(frame)
        except Exception:  # closed or closing under us; its endpoint cleans up, the others still get it
            pass
    return offset


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

# ------------------------------------------------------------------------------------------------
# HTTP: GET /health, POST /api/v1/publish

API_KEY_DIGEST = hashlib.sha256(API_KEY.encode()).digest()

HINTS = {
    "TOKEN_MISSING": "No API key; send Authorization: apikey <key>",
    "TOKEN_INVALID": "The API key is not valid; send Authorization: apikey <key>",
    "BAD_REQUEST": 'The request is not valid; send {"channel": ..., "data": ...}',
}


def refuse(status: int, code: str, hint: Optional[str] = None) -> JSONResponse:
    error = code.replace("_", " ").capitalize()
    return JSONResponse({"error": error, "code": code, "hint": hint or HINTS[code]}, status_code=status)


def api_key_refusal(header: Optional[str]) -> Optional[str]:
    if not header:
        return "TOKEN_MISSING"
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "apikey":
        return "TOKEN_INVALID"
    digest = hashlib.sha256(key.strip().encode()).digest()
    return None if hmac.compare_digest(digest, API_KEY_DIGEST) else "TOKEN_INVALID"


class Publication(BaseModel):
    channel: StrictStr
    data: Any = Field(...)

    @validator("channel")
    def channel_name(cls, name: str) -> str:
        if not CHANNEL_NAME.match(name):
            raise ValueError(CHANNEL_HINT)
        return name


@app.exception_handler(RequestValidationError)
async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    return refuse(400, "BAD_REQUEST")


@app.get("/health")
async def health() -> Dict[str, str]:
    return {"status": "ok"}


@app.post("/api/v1/publish")
async def publish_endpoint(body: Publication, authorization: Optional[str] = Header(None)):
    refusal = api_key_refusal(authorization)
    if refusal is not None:
        return refuse(401, refusal)
    offset = await publish(body.channel, body.data)
    return {"channel": body.channel, "offset": offset, "epoch": EPOCH}


# ------------------------------------------------------------------------------------------------
# WebSocket: /ws


async def reply(ws: WebSocket, kind: str, msg_id: Any, fields: Dict[str, Any]) -> None:
    msg = {"type": kind} if msg_id is None else {"type": kind, "id": msg_id}
    msg.update(fields)
    await ws.send_text(dumps(msg))


async def bad_message(ws: WebSocket, message: str, msg_id: Any = None) -> None:
    await reply(ws, "error", msg_id, {"code": "BAD_REQUEST", "message": message})


async def on_message(ws: WebSocket, mine: Set[str], text: str) -> None:
    try:
        msg = json.loads(text)
    except ValueError:
        await bad_message(ws, "Malformed JSON; send one JSON object per text frame")
        return
    if not isinstance(msg, dict):
        await bad_message(ws, "A message must be a JSON object with a type")
        return
    kind, msg_id, channel = msg.get("type"), msg.get("id"), msg.get("channel")
    if kind == "ping":
        await reply(ws, "pong", msg_id, {"timestamp": time.time_ns() // 1_000_000})
    elif kind in ("subscribe", "unsubscribe"):
        if not isinstance(channel, str) or not CHANNEL_NAME.match(channel):
            await bad_message(ws, CHANNEL_HINT, msg_id)
        elif kind == "unsubscribe":
            if channel in mine:
                mine.discard(channel)
                subscribers[channel].discard(ws)
            await reply(ws, "unsubscribed", msg_id, {"channel": channel})
        elif channel in mine:
            await bad_message(ws, "Already subscribed", msg_id)
        else:
            mine.add(channel)
            subscribers.setdefault(channel, set()).add(ws)
            fields = {"channel": channel, "offset": offsets.get(channel, 0), "epoch": EPOCH}
            await reply(ws, "subscribed", msg_id, {**fields, "recovered": False, "publications": []})
    elif not isinstance(kind, str):
        await bad_message(ws, "The message has no type", msg_id)
    else:
        await bad_message(ws, f"Unknown message type '{kind[:64]}'", msg_id)


@app.websocket("/ws")
async def websocket_endpoint(ws: WebSocket) -> None:
    await ws.accept()
    try:
        claims = verify_token(ws.query_params.get("token"))
    except Refusal as refusal:
        # As Gatehouse does: complete the handshake, then say why in the close frame.
        await ws.close(4401, refusal.code)
        return
    name, roles = claims.get("name"), claims.get("roles")
    hello = {
        "type": "connection_established",
        "connection_id": secrets.token_hex(16),
        "user": {"id": claims["sub"], "name": name if name is not None else claims["sub"], "roles": roles or []},
        "expires_at": claims["expires_at"],
        "heartbeat_interval_ms": HEARTBEAT_INTERVAL_MS,
        "server_time": time.time_ns() // 1_000_000,
    }
    mine: Set[str] = set()
    try:
        await ws.send_text(dumps(hello))
        while True:
            event = await ws.receive()
            if event["type"] == "websocket.disconnect":
                break
            text = event.get("text")
            if text is None:
                await ws.close(1003, "UNSUPPORTED_DATA")
                break
            await on_message(ws, mine, text)
    except (WebSocketDisconnect, websockets.ConnectionClosed):
        pass  # the client went away mid-send; nothing to log per connection
    finally:
        for channel in mine:
            subscribers[channel].discard(ws)


if __name__ == "__main__":
    # One process, one event loop (uvloop), httptools for HTTP, the websockets library for /ws.
    uvicorn.run(
        app,
        host=HOST,
        port=int(PORT_TEXT),
        loop="uvloop",
        http="httptools",
        ws="websockets",
        ws_max_size=MAX_MESSAGE_BYTES,
        ws_ping_interval=HEARTBEAT_INTERVAL_MS / 1000,
        ws_ping_timeout=HEARTBEAT_INTERVAL_MS / 1000,
        ws_per_message_deflate=False,
        lifespan="off",
        log_level="warning",
        access_log=False,
    )
