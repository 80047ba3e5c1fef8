"""A resizer that fans out to threads and never shuts its pool down (indented with tabs)."""
# corpus: shape = "plain"
# corpus: tags = ["method", "executor", "tabs"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:ThreadPoolExecutor"]
# corpus: safe_fix = "none"
# corpus: unsafe_note = "pending work"

from concurrent.futures import ThreadPoolExecutor


class Resizer:
	def __init__(self, factor):
		self.factor = factor

	def resize_all(self, sizes):
		executor = ThreadPoolExecutor(max_workers=2)
		results = list(executor.map(lambda s: s * self.factor, sizes))
		return results


def run(workdir, server_addr):
	return Resizer(2).resize_all([1, 2, 3])
