"""Limit concurrent downloads with a semaphore; a bad URL raises holding a slot."""
# corpus: shape = "plain"
# corpus: tags = ["function", "semaphore"]
# corpus: leaks_before = true
# corpus: leak = ["lock:_slots"]
# corpus: safe_fix = "expected"

import threading

_slots = threading.BoundedSemaphore(1)


def download(url):
    _slots.acquire()
    if not url.startswith("https://"):
        raise ValueError(f"refusing {url}")
    size = len(url)
    _slots.release()
    return size


def run(workdir, server_addr):
    result = {"ok": download("https://example.invalid/a")}
    try:
        download("ftp://example.invalid/b")
    except ValueError as exc:
        result["bad"] = str(exc)
    return result
