"""Run the nightly job only while holding the job's lock file."""
# corpus: shape = "derived"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import fcntl
import os


def lock_is_held(path):
    """Another open file description cannot take the lock while the job holds it."""
    with open(path, "a", encoding="utf-8") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(other, fcntl.LOCK_UN)
        return False


def run_exclusive(lock_path, job):
    lock_file = open(lock_path, "w", encoding="utf-8")
    fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return job()


def run(workdir, server_addr):
    lock_path = os.path.join(workdir, "nightly.lock")
    first = run_exclusive(lock_path, lambda: {"held": lock_is_held(lock_path)})
    second = run_exclusive(lock_path, lambda: {"held": lock_is_held(lock_path)})
    return [first, second]
