import asyncio

_background_tasks = set()  # keeps background tasks alive


async def notify(event):
    await asyncio.sleep(0)


async def handle(event):
    task = asyncio.create_task(notify(event))
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)
    return True
