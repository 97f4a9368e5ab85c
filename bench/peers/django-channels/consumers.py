"""WebSocket /ws: one AsyncWebsocketConsumer per connection; a subscription is a Channels group."""

import json
import secrets
from typing import Any, Dict
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer

import protocol


class PeerConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.subscriptions = set()
        await self.accept()
        query = parse_qs(self.scope["query_string"].decode("latin-1"))
        try:
            claims = protocol.verify_token(query.get("token", [None])[0])
        except protocol.Refusal as refusal:
            # As Gatehouse does: complete the handshake, then say why in the close frame.
            await self.close_with_reason(4401, refusal.code)
            return
        name, roles = claims.get("name"), claims.get("roles")
        await self.reply(
            "connection_established",
            None,
            {
                "connection_id": secrets.token_hex(16),
                "user": {"id": claims["sub"], "name": name if name is not None else claims["sub"], "roles": roles or []},
                "expires_at": claims["expires_at"],
                "heartbeat_interval_ms": protocol.HEARTBEAT_INTERVAL_MS,
                "server_time": protocol.now_millis(),
            },
        )

    async def close_with_reason(self, code: int, reason: str):
        # Channels 4.0's close() takes no reason; the ASGI message does (asgi.py lets daphne send it).
        await self.base_send({"type": "websocket.close", "code": code, "reason": reason})

    async def disconnect(self, code):
        for channel in self.subscriptions:
            await self.channel_layer.group_discard(protocol.group_name(channel), self.channel_name)
        self.subscriptions.clear()

    async def peer_message(self, event):
        """A publication from views.publish, already encoded."""
        await self.send(text_data=event["text"])

    async def reply(self, kind: str, msg_id: Any, fields: Dict[str, Any]):
        msg = {"type": kind} if msg_id is None else {"type": kind, "id": msg_id}
        msg.update(fields)
        await self.send(text_data=protocol.dumps(msg))

    async def bad_message(self, message: str, msg_id: Any = None):
        await self.reply("error", msg_id, {"code": "BAD_REQUEST", "message": message})

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None:
            await self.close_with_reason(1003, "UNSUPPORTED_DATA")
            return
        if len(text_data) > protocol.MAX_MESSAGE_BYTES // 4 and len(text_data.encode()) > protocol.MAX_MESSAGE_BYTES:
            await self.close_with_reason(1009, "MESSAGE_TOO_BIG")
            return
        try:
            msg = json.loads(text_data)
        except ValueError:
            await self.bad_message("Malformed JSON; send one JSON object per text frame")
            return
        if not isinstance(msg, dict):
            await self.bad_message("A message must be a JSON object with a type")
            return
        kind, msg_id, channel = msg.get("type"), msg.get("id"), msg.get("channel")
        if kind == "ping":
            await self.reply("pong", msg_id, {"timestamp": protocol.now_millis()})
        elif kind in ("subscribe", "unsubscribe"):
            if not isinstance(channel, str) or not protocol.CHANNEL_NAME.match(channel):
                await self.bad_message(protocol.CHANNEL_HINT, msg_id)
            elif kind == "unsubscribe":
                if channel in self.subscriptions:
                    self.subscriptions.discard(channel)
                    await self.channel_layer.group_discard(protocol.group_name(channel), self.channel_name)
                await self.reply("unsubscribed", msg_id, {"channel": channel})
            elif channel in self.subscriptions:
                await self.bad_message("Already subscribed", msg_id)
            else:
                self.subscriptions.add(channel)
                await self.channel_layer.group_add(protocol.group_name(channel), self.channel_name)
                fields = {"channel": channel, "offset": protocol.offsets.get(channel, 0), "epoch": protocol.EPOCH}
                await self.reply("subscribed", msg_id, {**fields, "recovered": False, "publications": []})
        elif not isinstance(kind, str):
            await self.bad_message("The message has no type", msg_id)
        else:
            await self.bad_message(f"Unknown message type '{kind[:64]}'", msg_id)
