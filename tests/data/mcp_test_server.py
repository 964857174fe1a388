#!/usr/bin/env python3
"""A small MCP server for oat's tests: stdio, newline-delimited JSON-RPC, stdlib only.

Tools: `echo` (text back), `fail` (a tool error: isError), `image` (a 1x1 PNG), and
`crash` (the process exits in the middle of the call). With `--log PATH` every request
is appended to PATH as one JSON line, so tests can check what oat sent. With `--http`
it serves Streamable HTTP on 127.0.0.1 instead (JSON responses, no SSE), prints its URL
on stdout, and answers 401 unless `Authorization: Bearer test-token` comes with a
request.
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
    if mid is None:
        return None
    if method == "initialize":
        version = msg.get("params", {}).get("protocolVersion", "2025-06-18")
        result = {
            "protocolVersion": version,
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "oat-test-server", "version": "1.0.0"},
        }
    elif method == "tools/list":
        result = {"tools": TOOLS}
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
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            # No server-initiated stream: allowed by the spec.
            self.send_response(405)
            self.end_headers()

        def do_DELETE(self):
            self.send_response(200)
            self.end_headers()

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Authorization") != "Bearer test-token":
                self.send_response(401)
                self.end_headers()
                return
            reply = answer(json.loads(body))
            if reply is None:
                self.send_response(202)
                self.end_headers()
                return
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = HTTPServer(("127.0.0.1", 0), Handler)
    print("http://127.0.0.1:%d/mcp" % server.server_address[1], flush=True)
    server.serve_forever()


if "--http" in sys.argv:
    serve_http()
else:
    for line in sys.stdin:
        line = line.strip()
        if line:
            reply = answer(json.loads(line))
            if reply is not None:
                send(reply)
