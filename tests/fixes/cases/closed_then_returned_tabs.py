class Notes:
	def __init__(self, path):
		self.path = path

	def find(self, title):
		f = open(self.path, encoding="utf-8")
		for line in f:
			name, _, body = line.partition(": ")
			if name == title:
				f.close()
				return body
			if not name:
				f.close()
				raise ValueError(title)
		raise KeyError(title)
