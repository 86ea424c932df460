"""HTTP transport (keep-alive HTTP/1.1 on 127.0.0.1) and the :class:`StandIn` handle tests use."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import struct
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from scripts.standin import admin
from scripts.standin.api import Api, Exchange, new_request_id
from scripts.standin.faults import Fault, parse_fault
from scripts.standin.replies import Reply
from scripts.standin.scenario import Cluster, Scenario, load_scenario
from scripts.standin.signature import Credential
from scripts.standin.state import State

HOST = "127.0.0.1"
_JOIN_TIMEOUT_S = 2.0
MAX_BODY_BYTES = 4 * 1024 * 1024  # well above SMN's 256 KB message plus a 256 KB message_structure
# FunctionGraph's code uploads carry the zip in base64: a 40 MB package (the console's limit) and its JSON.
MAX_CODE_BODY_BYTES = 60 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection is dropped after this many seconds
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds the body until the
    # client's delayed ACK of the headers, ~40 ms on every response.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self) -> None:
        raw_path, _, query = self.path.partition("?")
        body = self._read_body(MAX_CODE_BODY_BYTES if "/fgs/" in raw_path else MAX_BODY_BYTES)
        if body is None:
            return
        if admin.is_admin(raw_path):
            reply = admin.handle(self.server.state, self.command, raw_path, body, new_request_id())
        else:
            exchange = Exchange(self.command, raw_path, query, tuple(self.headers.items()), body)
            reply = self.server.api.handle(exchange)
            reply.delay_s += self.server.state.latency_ms / 1000
        if reply.delay_s > 0 and self.server.stopping.wait(reply.delay_s):
            reply.reset = True  # shutting down: do not keep a sleeping request alive
        if reply.reset:
            self._abort()
        else:
            self._send(reply)

    def _read_body(self, limit: int) -> bytes | None:
        length = self.headers.get("Content-Length", "0").strip() or "0"
        if not (length.isascii() and length.isdigit()):
            self.send_error(400, "Bad Content-Length")
            return None
        if int(length) > limit:
            self.send_error(413, "Request body too large")
            return None
        return self.rfile.read(int(length))

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("X-Request-Id", reply.request_id)
        self.end_headers()
        self.wfile.write(reply.body)

    def _abort(self) -> None:
        """Drop the connection with a TCP RST and no response."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request log is in the state, and nothing that could hold a secret is printed."""


class _Server(ThreadingHTTPServer):
    """Tracks its connections so that stopping closes idle keep-alive ones and joins their threads."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], state: State) -> None:
        self.state = state
        self.api = Api(state)
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connection_threads: list[threading.Thread] = []
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's reverse DNS lookup
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="standin-connection",
            daemon=True,
        )
        with self._connections_lock:
            self._connections.add(request)
            self._connection_threads = [t for t in self._connection_threads if t.is_alive()]
            self._connection_threads.append(thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away (timeout, reset): nothing to report
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Wake every connection thread (idle keep-alive ones block reading) and wait for them all."""
        with self._connections_lock:
            connections, threads = list(self._connections), list(self._connection_threads)
        for sock in connections:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(_JOIN_TIMEOUT_S)


class StandIn:
    """A running local CCE + SMN (+ FunctionGraph, for deploy) stand-in.

    ``with StandIn("tests/scenarios/demo.json") as s: ...`` serves on ``s.url`` (an ephemeral port
    on 127.0.0.1) from a daemon thread until the block ends.
    """

    def __init__(
        self,
        scenario: str | Path | Mapping[str, Any] | Scenario,
        *,
        port: int = 0,
        latency_ms: int | None = None,
    ) -> None:
        self.scenario = load_scenario(scenario)
        self.state = State(self.scenario)
        if latency_ms is not None:
            self.latency_ms = latency_ms
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    def start(self) -> StandIn:
        if self._server is not None:
            raise RuntimeError("the stand-in is already running")
        server = _Server((HOST, self._requested_port), self.state)
        self._port = server.server_port
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="standin-server", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        server.stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join(_JOIN_TIMEOUT_S)

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the stand-in has not been started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def project_id(self) -> str:
        return self.state.project_id

    @property
    def credentials(self) -> Credential:
        """The scenario's first credential."""
        return self.scenario.credentials[0]

    @property
    def published(self) -> list[dict[str, Any]]:
        return self.state.published

    @property
    def postchecks(self) -> list[dict[str, Any]]:
        return self.state.postchecks

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.state.requests

    @property
    def functions(self) -> dict[str, dict[str, Any]]:
        """FunctionGraph functions by name: configuration, code hash, async settings, triggers."""
        return self.state.functiongraph.snapshot()

    @property
    def latency_ms(self) -> int:
        return self.state.latency_ms

    @latency_ms.setter
    def latency_ms(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"latency_ms must be a non-negative integer, got {value!r}")
        self.state.latency_ms = value

    def add_fault(self, spec: Mapping[str, Any] | Fault) -> Fault:
        fault = spec if isinstance(spec, Fault) else parse_fault(spec)
        self.state.add_fault(fault)
        return fault

    def cluster(self, cluster_id: str) -> Cluster:
        """The live cluster state (mutations show in later answers).

        Besides ``version``, ``postcheck_phase``, ``upgrade_tasks`` and ``workflows``: ``phase`` (setting it
        starts a one-step walk) or ``walk([...])`` for ShowCluster's ``status.phase``; ``nodes`` (each ``phase`` /
        ``walk([...])``; ``node(uid or name)``, ``generate_nodes(count, phases, start)``), ``node_pools`` (each
        ``phase`` / ``walk(phases, creating=[...], deleting=[...])``; ``node_pool(...)``) and ``addons`` (each
        ``status`` / ``walk(statuses, reasons=[...], messages=[...])``; ``addon(uid or name)``). A walk moves one
        step per read (a node: per ListNodes page that returns it) and stays on its last step; ``reads`` counts.
        """
        cluster = self.state.cluster(cluster_id)
        if cluster is None:
            raise KeyError(cluster_id)
        return cluster

    def reset(self) -> None:
        self.state.reset()
