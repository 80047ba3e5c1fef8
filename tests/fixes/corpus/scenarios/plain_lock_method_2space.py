"""A cache guarded by its own lock (indented with two spaces)."""
# corpus: shape = "plain"
# corpus: tags = ["method", "lock", "2-space"]
# corpus: leaks_before = true
# corpus: leak = ["lock:CACHE._lock"]
# corpus: safe_fix = "expected"

import threading


class Cache:
  def __init__(self):
    self._lock = threading.Lock()
    self._items = {}

  def put(self, key, value):
    self._lock.acquire()
    if value is None:
      raise ValueError(f"no value for {key}")
    self._items[key] = value
    self._lock.release()
    return len(self._items)


CACHE = Cache()


def run(workdir, server_addr):
  result = {"a": CACHE.put("a", 1)}
  try:
    CACHE.put("b", None)
  except ValueError as exc:
    result["b"] = str(exc)
  return result
