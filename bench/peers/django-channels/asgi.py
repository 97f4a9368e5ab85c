"""The ASGI application daphne serves: Django's views for HTTP, PeerConsumer for /ws.

    daphne -b 127.0.0.1 -p $PEER_PORT -v 0 asgi:application
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

from django.core.asgi import get_asgi_application  # noqa: E402  (settings first)

django_http = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from consumers import PeerConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_http,
        "websocket": URLRouter([path("ws", PeerConsumer.as_asgi())]),
    }
)


def _pass_close_reasons_on():
    """daphne (4.0 and later, django/daphne#374) drops the `reason` of an ASGI websocket.close
    message; the protocol needs it on the 4401 refusals. Send the close frame with it the way
    daphne sends its own 1011 (autobahn's sendCloseFrame, which also takes the RFC codes 1003 and
    1009 that autobahn's public sendClose refuses). This touches the close path only."""
    try:
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:  # not under daphne
        return
    handle_reply = WebSocketProtocol.handle_reply

    def handle_reply_with_reason(self, message):
        if message.get("type") == "websocket.close" and message.get("reason") and self.state != self.STATE_CONNECTING:
            reason = message["reason"].encode("utf-8")[:123]  # a close frame's payload is at most 125 bytes
            self.sendCloseFrame(code=message.get("code") or 1000, reasonUtf8=reason, isReply=False)
        else:
            handle_reply(self, message)

    WebSocketProtocol.handle_reply = handle_reply_with_reason


_pass_close_reasons_on()
