"""A notifier object that fires a delivery task and drops it (indented with two spaces)."""
# corpus: shape = "plain"
# corpus: tags = ["async", "method", "task", "2-space"]
# corpus: leaks_before = true
# corpus: leak = ["asyncio:Task was destroyed but it is pending"]
# corpus: safe_fix = "expected"

import asyncio
import gc


class Notifier:
  def __init__(self):
    self.inbox = asyncio.Queue()
    self.sent = []

  async def pump(self):
    while True:
      message = await self.inbox.get()
      self.sent.append(message)
      self.inbox.task_done()

  async def notify_all(self, messages):
    asyncio.create_task(self.pump())
    for message in messages:
      self.inbox.put_nowait(message)
    await self.inbox.join()
    return len(self.sent)


async def run(workdir, server_addr):
  notifier = Notifier()
  count = await notifier.notify_all(["a", "b"])
  sent = notifier.sent
  del notifier
  gc.collect()
  await asyncio.sleep(0.01)
  return {"count": count, "sent": sent}
