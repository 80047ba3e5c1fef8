"""Names in a tarball, stopping at the first absolute path (indented with two spaces)."""
# corpus: shape = "plain"
# corpus: tags = ["function", "tar", "2-space"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:TarFile"]
# corpus: safe_fix = "expected"

import io
import os
import tarfile


def safe_names(path):
  tar = tarfile.open(path)
  names = []
  for member in tar.getmembers():
    if member.name.startswith("/"):
      raise ValueError(f"absolute path {member.name}")
    names.append(member.name)
  tar.close()
  return names


def make(path, names):
  with tarfile.open(path, "w") as tar:
    for name in names:
      info = tarfile.TarInfo(name)
      info.size = 1
      tar.addfile(info, io.BytesIO(b"x"))


def run(workdir, server_addr):
  good = os.path.join(workdir, "good.tar")
  make(good, ["a", "b"])
  bad = os.path.join(workdir, "bad.tar")
  make(bad, ["a", "/etc/x"])
  result = {"good": safe_names(good)}
  try:
    safe_names(bad)
  except ValueError as exc:
    result["bad"] = str(exc)
  return result
