#!/usr/bin/env python3
"""A small MCP server for oat's tests: stdio, newline-delimited JSON-RPC, stdlib only.

Tools: `echo` (text back), `fail` (a tool error: isError), `image` (a 1x1 PNG), and
`crash` (the process exits in the middle of the call). Before answering a call it sends
a notification and a `ping` of its own, and exits if the ping goes unanswered. With `--log PATH` every request
is appended to PATH as one JSON line, so tests can check what oat sent. With `--http`
it serves Streamable HTTP on 127.0.0.1 instead (JSON responses, no SSE), prints its URL
on stdout, and answers 401 unless `Authorization: Bearer test-token` comes with a
request. Over HTTP it keeps a session (`Mcp-Session-Id`, given at `initialize`, then
required, and ended by DELETE, which is logged); with `--sse` too it answers every
request with an event stream that first carries a notification and a `ping` of its own,
whose answer it waits for. `tools/list` comes in two pages.
"""
import json
import sys

PNG_1x1 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)

TOOLS = [
    {
        "name": "echo",
        "description": "Says the text back.",
        "inputSchema": {
            "type": "object",
            "properties": {"text": {"type": "string"}},
            "required": ["text"],
        },
    },
    {
        "name": "fail",
        "description": "Always fails.",
        "inputSchema": {"type": "object", "properties": {}},
    },
    {
        "name": "image",
        "description": "Returns a tiny picture.",
        "inputSchema": {"type": "object", "properties": {}},
    },
    {
        "name": "crash",
        "description": "Exits during the call.",
        "inputSchema": {"type": "object", "properties": {}},
    },
]

log = None
if "--log" in sys.argv:
    log = open(sys.argv[sys.argv.index("--log") + 1], "a")
if "--say" in sys.argv:
    sys.stderr.write(sys.argv[sys.argv.index("--say") + 1] + "\n")
    sys.stderr.flush()
if "--exit-at-start" in sys.argv:
    sys.exit(3)


def send(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def call(params):
    name = params.get("name")
    args = params.get("arguments") or {}
    if name == "echo":
        return {"content": [{"type": "text", "text": "echo: " + str(args.get("text"))}]}
    if name == "fail":
        return {"content": [{"type": "text", "text": "the tool failed on purpose"}], "isError": True}
    if name == "image":
        return {
            "content": [
                {"type": "text", "text": "a picture"},
                {"type": "image", "data": PNG_1x1, "mimeType": "image/png"},
            ]
        }
    if name == "crash":
        sys.stderr.write("crashing as asked\n")
        sys.stderr.flush()
        sys.exit(1)
    return None


def answer(msg):
    """The response to one JSON-RPC message (None for a notification)."""
    if log:
        log.write(json.dumps(msg) + "\n")
        log.flush()
    method = msg.get("method")
    mid = msg.get("id")
    if mid is None or method is None:
        # A notification, or the client's answer to a request of ours.
        return None
    if method == "initialize":
        version = msg.get("params", {}).get("protocolVersion", "2025-06-18")
        result = {
            "protocolVersion": version,
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "oat-test-server", "version": "1.0.0"},
        }
    elif method == "tools/list":
        # Two pages: the client must follow `nextCursor`.
        if msg.get("params", {}).get("cursor") == "page-2":
            result = {"tools": TOOLS[2:]}
        else:
            result = {"tools": TOOLS[:2], "nextCursor": "page-2"}
    elif method == "tools/call":
        result = call(msg.get("params", {}))
        if result is None:
            return {"jsonrpc": "2.0", "id": mid, "error": {"code": -32602, "message": "unknown tool"}}
    elif method == "ping":
        result = {}
    else:
        return {"jsonrpc": "2.0", "id": mid, "error": {"code": -32601, "message": "no such method"}}
    return {"jsonrpc": "2.0", "id": mid, "result": result}


def serve_http():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    sse = "--sse" in sys.argv
    session = "sess-7f3a"
    pinged = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body=b"", headers=()):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            # No server-initiated stream: allowed by the spec.
            self.reply(405)

        def do_DELETE(self):
            if log:
                log.write(json.dumps({"deleted": self.headers.get("Mcp-Session-Id")}) + "\n")
                log.flush()
            self.reply(200)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Authorization") != "Bearer test-token":
                return self.reply(401, b"unauthorized")
            msg = json.loads(body)
            initialize = msg.get("method") == "initialize"
            if not initialize and self.headers.get("Mcp-Session-Id") != session:
                return self.reply(400, b"no session")
            if not initialize and self.headers.get("MCP-Protocol-Version") != "2025-11-25":
                return self.reply(400, b"no protocol version")
            if "id" in msg and "method" not in msg and msg["id"] == "srv-ping":
                pinged.set()
            answered = answer(msg)
            if answered is None:
                return self.reply(202)
            extra = [("Mcp-Session-Id", session)] if initialize else []
            if not sse:
                data = json.dumps(answered).encode()
                return self.reply(200, data, [("Content-Type", "application/json")] + extra)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            for k, v in extra:
                self.send_header(k, v)
            self.send_header("Connection", "close")
            self.end_headers()
            note = {"jsonrpc": "2.0", "method": "notifications/message",
                    "params": {"level": "info", "data": "working"}}
            self.wfile.write(("event: message\ndata: %s\n\n" % json.dumps(note)).encode())
            if not initialize:
                # A request of the server's own, answered on a POST of the client's.
                pinged.clear()
                ping = {"jsonrpc": "2.0", "id": "srv-ping", "method": "ping"}
                self.wfile.write(("data: %s\n\n" % json.dumps(ping)).encode())
                self.wfile.flush()
                pinged.wait(5)
            # The answer split over two data lines of one event (at a space between
            # JSON tokens): the client must join them with the newline SSE puts there.
            head, tail = json.dumps(answered).split(", ", 1)
            self.wfile.write(("id: 1\ndata: %s,\ndata: %s\n\n" % (head, tail)).encode())
            self.wfile.flush()
            self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("http://127.0.0.1:%d/mcp" % server.server_address[1], flush=True)
    server.serve_forever()


if "--http" in sys.argv:
    serve_http()
else:
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        msg = json.loads(line)
        if msg.get("method") == "tools/call":
            # Before each call: a notification and a ping of the server's own, whose
            # answer comes before the call is answered.
            send({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "calling"}})
            send({"jsonrpc": "2.0", "id": "srv-ping", "method": "ping"})
            pong = json.loads(sys.stdin.readline())
            answer(pong)
            if pong.get("id") != "srv-ping" or pong.get("result") != {}:
                sys.stderr.write("the ping went unanswered\n")
                sys.exit(4)
        reply = answer(msg)
        if reply is not None:
            send(reply)
