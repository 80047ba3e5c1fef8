import asyncio


async def notify(event):
    await asyncio.sleep(0)


async def handle(event):
    asyncio.create_task(notify(event))
    return True
