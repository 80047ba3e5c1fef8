"""A builder that runs its compiler step and reads the output (indented with tabs)."""
# corpus: shape = "plain"
# corpus: tags = ["method", "subprocess", "tabs"]
# corpus: leaks_before = true
# corpus: leak = ["child:"]
# corpus: safe_fix = "none"
# corpus: unsafe_note = "waits for the process"

import subprocess
import sys

COMPILER = "import sys; print(sys.argv[1].upper())"


class Builder:
	def __init__(self, target):
		self.target = target

	def compile(self):
		proc = subprocess.Popen(
			[sys.executable, "-c", COMPILER, self.target], stdout=subprocess.PIPE, text=True
		)
		output = proc.stdout.read().strip()
		proc.stdout.close()
		return output


def run(workdir, server_addr):
	return Builder("main.c").compile()
