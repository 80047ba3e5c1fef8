"""Register a plugin under a module lock; a duplicate raises with the lock held."""
# corpus: shape = "plain"
# corpus: tags = ["function", "lock"]
# corpus: leaks_before = true
# corpus: leak = ["lock:_registry_lock"]
# corpus: safe_fix = "expected"

import threading

_registry_lock = threading.Lock()
_plugins = {}


def register(name, plugin):
    _registry_lock.acquire()
    if name in _plugins:
        raise ValueError(f"{name} is already registered")
    _plugins[name] = plugin
    _registry_lock.release()
    return sorted(_plugins)


def run(workdir, server_addr):
    result = {"first": register("csv", object())}
    try:
        register("csv", object())
    except ValueError as exc:
        result["again"] = str(exc)
    return result
