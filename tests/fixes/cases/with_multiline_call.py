import socket


def makeport(host,
             port):
    sock = socket.create_connection((host,
                                     port),
                                    timeout=5)
    sock.sendall(b"x")
    sock.close()


def fetch(host, port):
    conn = socket.create_connection(
        (host, port), timeout=5
    )
    conn.sendall(b"GET\n")
    reply = conn.recv(100)
    conn.close()
    return reply
