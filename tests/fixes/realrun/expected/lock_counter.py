"""Thread-safe tallies; a malformed amount raises while the lock is held."""

import threading

_lock = threading.Lock()
_totals = {}


def record(name, amount):
    with _lock:
        _totals[name] = _totals.get(name, 0) + int(amount)  # ValueError on "n/a"


def run(workdir, server_addr):
    _totals.clear()
    rejected = []
    for name, amount in [("apples", "3"), ("pears", "2"), ("apples", "4"), ("pears", "n/a")]:
        try:
            record(name, amount)
        except ValueError:
            rejected.append(name)
    return {"totals": dict(sorted(_totals.items())), "rejected": rejected}
