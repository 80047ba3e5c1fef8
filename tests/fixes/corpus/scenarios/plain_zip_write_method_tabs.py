"""Pack files into an archive; an empty name stops early (indented with tabs)."""
# corpus: shape = "plain"
# corpus: tags = ["method", "zip", "tabs"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:ZipFile"]
# corpus: safe_fix = "expected"

import os
import zipfile


class Packer:
	def __init__(self, workdir):
		self.workdir = workdir

	def pack(self, name, files):
		archive = zipfile.ZipFile(os.path.join(self.workdir, name), "w")
		count = 0
		for member, text in files:
			if not member:
				return count
			archive.writestr(member, text)
			count += 1
		archive.close()
		return count


def run(workdir, server_addr):
	packer = Packer(workdir)
	full = packer.pack("a.zip", [("x", "1"), ("y", "2")])
	return [full, packer.pack("b.zip", [("z", "3"), ("", "")])]
