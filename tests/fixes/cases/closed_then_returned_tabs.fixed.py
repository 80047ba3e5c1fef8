class Notes:
	def __init__(self, path):
		self.path = path

	def find(self, title):
		with open(self.path, encoding="utf-8") as f:
			for line in f:
				name, _, body = line.partition(": ")
				if name == title:
					return body
				if not name:
					raise ValueError(title)
		raise KeyError(title)
