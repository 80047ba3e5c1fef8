"""Pass a message through an OS pipe, as the worker protocol does."""
# corpus: shape = "plain"
# corpus: tags = ["method", "pipe", "fd"]
# corpus: leaks_before = true
# corpus: leak = ["fd:pipe:"]
# corpus: safe_fix = "expected"

import os


class PipeChannel:
    def roundtrip(self, message):
        r, w = os.pipe()
        os.write(w, message.encode())
        data = os.read(r, 1024).decode()
        if data != message.strip():
            raise ValueError(f"message {message!r} has surrounding spaces")
        os.close(w)
        os.close(r)
        return data


def run(workdir, server_addr):
    channel = PipeChannel()
    result = {"ok": channel.roundtrip("ping")}
    try:
        channel.roundtrip(" ping ")
    except ValueError as exc:
        result["bad"] = str(exc)
    return result
