"""enter()/leave() around a critical section: enter() returns with the lock held on purpose."""
# corpus: shape = "escapes"
# corpus: tags = ["function", "lock"]
# corpus: leaks_before = false
# corpus: safe_fix = "none"
# corpus: unsafe_note = "also releases"
# corpus: unsafe_result = "any"

import threading

_section = threading.Lock()


def enter(ready):
    _section.acquire()
    if ready():
        return True
    _section.release()
    return False


def leave():
    _section.release()


def run(workdir, server_addr):
    result = {"not ready": enter(lambda: False)}
    result["ready"] = enter(lambda: True)
    result["held inside"] = _section.locked()
    try:
        leave()
        result["left"] = True
    except RuntimeError as exc:
        result["left"] = str(exc)
    return result
