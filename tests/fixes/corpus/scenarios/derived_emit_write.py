"""Append audit events to the day's audit log."""
# corpus: shape = "derived"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def append_events(path, events):
    out = open(path, "a", encoding="utf-8")
    emit = out.write
    for event in events:
        if "\n" in event:
            raise ValueError(f"multi-line event {event!r}")
        emit(f"{event}\n")
    return len(events)


def run(workdir, server_addr):
    path = os.path.join(workdir, "audit.log")
    result = {"written": append_events(path, ["login ada", "logout ada"])}
    try:
        append_events(path, ["login bob", "bad\nevent"])
    except ValueError as exc:
        result["error"] = str(exc)
    with open(path, encoding="utf-8") as f:
        result["log"] = f.read()
    return result
