import os
import tempfile


def reserve(prefix, scratch):
  fd, path = tempfile.mkstemp(prefix=prefix, dir=scratch)
  if not prefix.endswith("-"):
    raise ValueError(prefix)
  os.close(fd)
  return path


async def save(chunks, scratch, pause):
  fd, _ = tempfile.mkstemp(dir=scratch)
  written = 0
  for chunk in chunks:
    await pause()
    written += os.write(fd, chunk)
  os.close(fd)
  return written
