import socket


def ping(host):
	sock = socket.create_connection((host, 7))
	sock.sendall(b"ping")
	reply = sock.recv(4)
	sock.close()
	return reply
