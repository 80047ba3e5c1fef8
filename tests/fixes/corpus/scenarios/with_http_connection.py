"""Fetch an item from the catalogue service over HTTP."""
# corpus: shape = "with-unsupported"
# corpus: tags = ["function", "http", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"
# corpus: server = "http"

import http.client
import json


def fetch_item(addr, key):
    conn = http.client.HTTPConnection(addr[0], addr[1], timeout=5)
    conn.request("GET", f"/items/{key}")
    resp = conn.getresponse()
    body = json.loads(resp.read())
    if resp.status != 200:
        raise LookupError(body["error"])
    conn.close()
    return body["value"]


def run(workdir, server_addr):
    result = {"beta": fetch_item(server_addr, "beta")}
    try:
        fetch_item(server_addr, "zeta")
    except LookupError as exc:
        result["zeta"] = str(exc)
    return result
