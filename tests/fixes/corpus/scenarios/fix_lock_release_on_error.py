"""Update a shared counter; a bad amount raises with the lock held."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "lock"]
# corpus: leaks_before = true
# corpus: leak = ["lock:_counter_lock"]
# corpus: safe_fix = "expected"

import threading

_counter_lock = threading.Lock()
_counts = {}


def add(name, amount):
    _counter_lock.acquire()
    if amount < 0:
        raise ValueError(f"negative amount for {name}")
    _counts[name] = _counts.get(name, 0) + amount
    _counter_lock.release()
    return _counts[name]


def run(workdir, server_addr):
    result = {"apples": add("apples", 3)}
    try:
        add("pears", -1)
    except ValueError as exc:
        result["pears"] = str(exc)
    return result
