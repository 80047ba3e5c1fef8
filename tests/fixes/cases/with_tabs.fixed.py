import socket


def ping(host):
	with socket.create_connection((host, 7)) as sock:
		sock.sendall(b"ping")
		reply = sock.recv(4)
	return reply
