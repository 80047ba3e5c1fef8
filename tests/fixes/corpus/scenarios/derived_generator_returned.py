"""Records from a log file: lazily for the streaming exporter, as a list otherwise."""
# corpus: shape = "derived"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "none"

import os


def records(path, lazy):
    f = open(path, encoding="utf-8")
    if lazy:
        return (line.rstrip("\n") for line in f)
    data = [line.rstrip("\n") for line in f]
    f.close()
    return data


def run(workdir, server_addr):
    path = os.path.join(workdir, "app.log")
    with open(path, "w", encoding="utf-8") as f:
        f.write("start\nwork\nstop\n")
    eager = records(path, lazy=False)
    stream = records(path, lazy=True)
    first = next(stream)
    rest = list(stream)
    return {"eager": eager, "lazy": [first, *rest]}
