"""A sequence generator shared with worker processes through a multiprocessing lock."""
# corpus: shape = "plain"
# corpus: tags = ["method", "lock"]
# corpus: leaks_before = true
# corpus: leak = ["lock:SEQUENCE.lock"]
# corpus: safe_fix = "expected"

import multiprocessing


class Sequence:
    def __init__(self):
        self.lock = multiprocessing.Lock()
        self.value = 0

    def next_id(self, prefix):
        self.lock.acquire()
        if not prefix.isalpha():
            raise ValueError(f"bad prefix {prefix!r}")
        self.value += 1
        self.lock.release()
        return f"{prefix}-{self.value}"


SEQUENCE = Sequence()


def run(workdir, server_addr):
    result = {"first": SEQUENCE.next_id("inv")}
    try:
        SEQUENCE.next_id("12")
    except ValueError as exc:
        result["bad"] = str(exc)
    return result
