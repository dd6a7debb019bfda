"""uvicorn's httptools protocol, with a way for the app to reset its connection (MOCK_FAULTS).

An ASGI app never sees its socket, and returning without an answer makes uvicorn send a 500.
This protocol puts a callable in each request's scope, under
scope["extensions"][RESET_EXTENSION]["reset"], that drops the connection with a TCP RST
(SO_LINGER 0, then abort): the client sees "connection reset by peer", as from a crashed
server or a load balancer cutting it. Used only when MOCK_FAULTS is set.
"""

from __future__ import annotations

import socket
import struct

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

RESET_EXTENSION = "vpbx.connection_reset"
_LINGER_ZERO = struct.pack("ii", 1, 0)  # on, 0 s: close() sends RST instead of FIN


class ResettableHttpToolsProtocol(HttpToolsProtocol):
    def on_message_begin(self) -> None:
        super().on_message_begin()
        extensions = dict(self.scope.get("extensions") or {})
        extensions[RESET_EXTENSION] = {"reset": self.reset_connection}
        self.scope["extensions"] = extensions

    def reset_connection(self) -> None:
        if self.transport.is_closing():
            return
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_ZERO)
        self.transport.abort()
