"""A script asking the key-value service for one key at module scope."""
# corpus: shape = "plain"
# corpus: tags = ["script", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"
# corpus: server = "line"
# corpus: run = "script"

import socket
import sys

host, _, port = sys.argv[2].partition(":")
conn = socket.create_connection((host, int(port)), timeout=5)
conn.sendall(b"GET gamma\n")
reply = conn.recv(1024).decode().strip()
print("reply:", reply)
