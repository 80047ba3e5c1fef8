"""A script that takes a module-level lock around its work and fails inside it."""
# corpus: shape = "plain"
# corpus: tags = ["script", "lock"]
# corpus: leaks_before = true
# corpus: leak = ["lock:state_lock"]
# corpus: safe_fix = "expected"
# corpus: run = "script"

import threading

state_lock = threading.Lock()
state = {"jobs": ["a", "b", ""]}

done = []
try:
    state_lock.acquire()
    for job in state["jobs"]:
        if not job:
            raise ValueError("empty job name")
        done.append(job)
    state_lock.release()
except ValueError as exc:
    print("failed:", exc)
print("done:", done)
