import os
import tempfile


def reserve(prefix, scratch):
  fd, path = tempfile.mkstemp(prefix=prefix, dir=scratch)
  try:
    if not prefix.endswith("-"):
      raise ValueError(prefix)
  finally:
    os.close(fd)
  return path


async def save(chunks, scratch, pause):
  fd, _ = tempfile.mkstemp(dir=scratch)
  try:
    written = 0
    for chunk in chunks:
      await pause()
      written += os.write(fd, chunk)
  finally:
    os.close(fd)
  return written
