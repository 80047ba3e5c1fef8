"""A note store whose lookups leak the file when the note is missing (indented with tabs)."""
# corpus: shape = "plain"
# corpus: tags = ["method", "file", "tabs"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


class NoteStore:
	def __init__(self, path):
		self.path = path

	def find(self, title):
		f = open(self.path, encoding="utf-8")
		for line in f:
			name, _, body = line.rstrip("\n").partition(": ")
			if name == title:
				f.close()
				return body
		raise KeyError(title)


def run(workdir, server_addr):
	path = os.path.join(workdir, "notes.txt")
	with open(path, "w", encoding="utf-8") as f:
		f.write("todo: buy milk\nidea: write tests\n")
	store = NoteStore(path)
	result = {"idea": store.find("idea")}
	try:
		store.find("plan")
	except KeyError as exc:
		result["plan"] = str(exc)
	return result
