"""A script whose main block maps over a process pool that is never closed."""
# corpus: shape = "plain"
# corpus: tags = ["main", "pool", "subprocess"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed running multiprocessing pool"]
# corpus: safe_fix = "none"
# corpus: unsafe_note = "terminate"
# corpus: run = "script"

import multiprocessing

if __name__ == "__main__":
    pool = multiprocessing.get_context("fork").Pool(1)
    print("doubled:", pool.map(abs, [-1, 2, -3]))
