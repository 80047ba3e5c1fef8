"""A tracer that keeps writing to its trace file through a bound method."""
# corpus: shape = "derived"
# corpus: tags = ["method", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "none"

import os


class Tracer:
    def __init__(self, path):
        out = open(path, "w", encoding="utf-8")
        self.emit = out.write
        self.emit("trace start\n")

    def trace(self, message):
        self.emit(message + "\n")


def run(workdir, server_addr):
    path = os.path.join(workdir, "trace.txt")
    tracer = Tracer(path)
    tracer.trace("step 1")
    tracer.trace("step 2")
    del tracer
    with open(path, encoding="utf-8") as f:
        return f.read()
