"""Schedule a cache warmer with ensure_future and drop it (indented with tabs)."""
# corpus: shape = "plain"
# corpus: tags = ["async", "task", "tabs"]
# corpus: leaks_before = true
# corpus: leak = ["asyncio:Task was destroyed but it is pending"]
# corpus: safe_fix = "expected"

import asyncio
import gc


async def warm(keys, cache):
	while True:
		key = await keys.get()
		cache[key] = key.upper()
		keys.task_done()


async def start_warming(names, cache):
	keys = asyncio.Queue()
	asyncio.ensure_future(warm(keys, cache))
	for name in names:
		keys.put_nowait(name)
	await keys.join()
	return len(cache)


async def run(workdir, server_addr):
	cache = {}
	count = await start_warming(["a", "b"], cache)
	gc.collect()
	await asyncio.sleep(0.01)
	return {"count": count, "cache": cache}
