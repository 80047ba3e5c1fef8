"""Map a function over items with a multiprocessing thread pool that is never closed."""
# corpus: shape = "plain"
# corpus: tags = ["function", "pool"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed running multiprocessing pool"]
# corpus: safe_fix = "none"
# corpus: unsafe_note = "terminate"

from multiprocessing.pool import ThreadPool


def lengths(words):
    pool = ThreadPool(2)
    return pool.map(len, words)


def run(workdir, server_addr):
    return lengths(["lease", "lock", "leak"])
