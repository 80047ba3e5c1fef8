"""A helper process owned by a service object that stops it explicitly."""
# corpus: shape = "escapes"
# corpus: tags = ["method", "subprocess"]
# corpus: leaks_before = false
# corpus: safe_fix = "none"

import subprocess
import sys

ECHO = "import sys\nfor line in sys.stdin:\n    print(line.strip().upper(), flush=True)"


class Uppercaser:
    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ECHO], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def ask(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait()
        self.proc.stdout.close()


def run(workdir, server_addr):
    service = Uppercaser()
    service.start()
    try:
        return [service.ask("hello"), service.ask("corpus")]
    finally:
        service.stop()
