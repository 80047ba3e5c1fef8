"""A script that squares numbers in a module-level thread pool and never shuts it down."""
# corpus: shape = "plain"
# corpus: tags = ["script", "executor"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:ThreadPoolExecutor"]
# corpus: safe_fix = "none"
# corpus: unsafe_note = "pending work"
# corpus: run = "script"

from concurrent.futures import ThreadPoolExecutor

workers = ThreadPoolExecutor(max_workers=2)
squares = list(workers.map(lambda n: n * n, range(5)))
print("squares:", squares)
