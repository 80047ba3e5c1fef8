"""A scratch buffer in anonymous shared memory (indented with two spaces)."""
# corpus: shape = "plain"
# corpus: tags = ["method", "mmap", "2-space"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:mmap"]
# corpus: safe_fix = "expected"

import mmap


class Scratch:
  def __init__(self, size):
    self.size = size

  def checksum(self, data):
    buf = mmap.mmap(-1, self.size)
    if len(data) > self.size:
      raise ValueError("too large")
    buf.write(data)
    total = sum(buf[: len(data)])
    buf.close()
    return total


def run(workdir, server_addr):
  scratch = Scratch(8)
  result = {"small": scratch.checksum(b"abc")}
  try:
    scratch.checksum(b"0123456789")
  except ValueError as exc:
    result["large"] = str(exc)
  return result
