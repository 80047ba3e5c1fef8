"""A client object opening a connection per call (indented with two spaces)."""
# corpus: shape = "plain"
# corpus: tags = ["method", "socket", "2-space"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"
# corpus: server = "line"

import socket


class Client:
  def __init__(self, addr):
    self.addr = addr

  def get(self, key):
    sock = socket.create_connection(self.addr, timeout=5)
    sock.sendall(f"GET {key}\n".encode())
    status, _, value = sock.recv(1024).decode().strip().partition(" ")
    if status != "OK":
      return None
    sock.close()
    return value


def run(workdir, server_addr):
  client = Client(server_addr)
  return [client.get("beta"), client.get("omega")]
