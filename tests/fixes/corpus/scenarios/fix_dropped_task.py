"""Deliver events in the background while the handler moves on."""
# corpus: shape = "should-fix"
# corpus: tags = ["async", "task"]
# corpus: leaks_before = true
# corpus: leak = ["asyncio:Task was destroyed but it is pending"]
# corpus: safe_fix = "expected"

import asyncio
import gc


class Outbox:
    def __init__(self, delivered):
        self.queue = asyncio.Queue()
        self.delivered = delivered

    async def deliver(self):
        while True:
            event = await self.queue.get()
            self.delivered.append(event)
            self.queue.task_done()


async def handle_batch(events, delivered):
    outbox = Outbox(delivered)
    asyncio.create_task(outbox.deliver())
    for event in events:
        outbox.queue.put_nowait(event)
    await outbox.queue.join()
    return len(events)


async def run(workdir, server_addr):
    delivered = []
    handled = await handle_batch(["created", "updated"], delivered)
    gc.collect()  # a long-running service collects now and then; here, deterministically
    await asyncio.sleep(0.01)
    return {"handled": handled, "delivered": delivered}
