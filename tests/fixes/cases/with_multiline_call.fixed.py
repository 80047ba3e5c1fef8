import socket


def makeport(host,
             port):
    with socket.create_connection((host,
                                   port),
                                  timeout=5) as sock:
        sock.sendall(b"x")


def fetch(host, port):
    with socket.create_connection(
        (host, port), timeout=5
    ) as conn:
        conn.sendall(b"GET\n")
        reply = conn.recv(100)
    return reply
