"""HTTP: GET /health and POST /api/v1/publish (async Django views)."""

import json
from typing import Optional

from channels.layers import get_channel_layer
from django.http import JsonResponse

import protocol

HINTS = {
    "TOKEN_MISSING": "No API key; send Authorization: apikey <key>",
    "TOKEN_INVALID": "The API key is not valid; send Authorization: apikey <key>",
    "BAD_REQUEST": 'The request is not valid; send {"channel": ..., "data": ...}',
    "METHOD_NOT_ALLOWED": "This method is not supported on this path",
}


def refuse(status: int, code: str, hint: Optional[str] = None) -> JsonResponse:
    error = code.replace("_", " ").capitalize()
    return JsonResponse({"error": error, "code": code, "hint": hint or HINTS[code]}, status=status)


async def health(request):
    return JsonResponse({"status": "ok"})


async def publish(request):
    if request.method != "POST":
        return refuse(405, "METHOD_NOT_ALLOWED")
    refusal = protocol.api_key_refusal(request.headers.get("Authorization"))
    if refusal is not None:
        return refuse(401, refusal)
    try:
        body = json.loads(request.body)
    except ValueError:
        return refuse(400, "BAD_REQUEST", "Malformed JSON body")
    if not isinstance(body, dict):
        return refuse(400, "BAD_REQUEST", 'The body must be a JSON object {"channel": ..., "data": ...}')
    channel = body.get("channel")
    if not isinstance(channel, str) or not protocol.CHANNEL_NAME.match(channel):
        return refuse(400, "BAD_REQUEST", protocol.CHANNEL_HINT)
    if "data" not in body:
        return refuse(400, "BAD_REQUEST", "data is required")

    offset = protocol.offsets.get(channel, 0) + 1
    protocol.offsets[channel] = offset
    # Encoded once; the layer hands the same text to every consumer in the group.
    frame = protocol.dumps(
        {
            "type": "message",
            "channel": channel,
            "offset": offset,
            "epoch": protocol.EPOCH,
            "data": body["data"],
            "published_at": protocol.iso_millis(protocol.now_millis()),
        }
    )
    await get_channel_layer().group_send(protocol.group_name(channel), {"type": "peer.message", "text": frame})
    return JsonResponse({"channel": channel, "offset": offset, "epoch": protocol.EPOCH})
