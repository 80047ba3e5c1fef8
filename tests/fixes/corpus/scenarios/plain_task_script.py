"""A script whose coroutine starts a watcher task and drops it."""
# corpus: shape = "plain"
# corpus: tags = ["script", "task", "async"]
# corpus: leaks_before = true
# corpus: leak = ["asyncio:Task was destroyed but it is pending"]
# corpus: safe_fix = "expected"
# corpus: run = "script"

import asyncio
import gc


async def watch(events, seen):
    while True:
        seen.append(await events.get())
        events.task_done()


async def main():
    events = asyncio.Queue()
    seen = []
    asyncio.create_task(watch(events, seen))
    events.put_nowait("boot")
    await events.join()
    del events
    gc.collect()
    await asyncio.sleep(0.01)
    return seen


print("seen:", asyncio.run(main()))
