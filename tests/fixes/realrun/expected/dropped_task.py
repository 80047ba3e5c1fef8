"""Deliver events in the background while the handler moves on."""

import asyncio
import gc

_background_tasks = set()  # keeps background tasks alive


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
    task = asyncio.create_task(outbox.deliver())
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)
    for event in events:
        outbox.queue.put_nowait(event)
    await outbox.queue.join()
    return len(events)


async def main():
    delivered = []
    handled = await handle_batch(["created", "updated"], delivered)
    # A long-running service collects garbage now and then; do it here, deterministically.
    gc.collect()
    await asyncio.sleep(0.01)
    return {"handled": handled, "delivered": delivered}


def run(workdir, server_addr):
    return asyncio.run(main())
