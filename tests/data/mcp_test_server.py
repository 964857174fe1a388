#!/usr/bin/env python3
"""A small MCP server for oat's tests: stdio, newline-delimited JSON-RPC, stdlib only.

Tools: `echo` (text back), `fail` (a tool error: isError), `image` (a 1x1 PNG), and
`crash` (the process exits in the middle of the call). With `--log PATH` every request
is appended to PATH as one JSON line, so tests can check what oat sent.
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


for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    msg = json.loads(line)
    if log:
        log.write(json.dumps(msg) + "\n")
        log.flush()
    method = msg.get("method")
    mid = msg.get("id")
    if mid is None:
        continue  # a notification
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
            send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32602, "message": "unknown tool"}})
            continue
    elif method == "ping":
        result = {}
    else:
        send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32601, "message": "no such method"}})
        continue
    send({"jsonrpc": "2.0", "id": mid, "result": result})
