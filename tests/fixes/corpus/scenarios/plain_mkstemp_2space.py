"""Reserve a unique spool file name; a bad prefix raises with the descriptor open."""
# corpus: shape = "plain"
# corpus: tags = ["function", "tempfile", "fd", "2-space"]
# corpus: leaks_before = true
# corpus: leak = ["fd:"]
# corpus: safe_fix = "expected"

import os
import tempfile


def reserve(prefix, scratch):
  fd, path = tempfile.mkstemp(prefix=prefix, dir=scratch)
  if not prefix.endswith("-"):
    raise ValueError(f"prefix {prefix!r} must end with '-'")
  os.close(fd)
  return os.path.basename(path).startswith(prefix)


def run(workdir, server_addr):
  result = {"ok": reserve("job-", workdir)}
  try:
    reserve("job", workdir)
  except ValueError as exc:
    result["bad"] = str(exc)
  return result
