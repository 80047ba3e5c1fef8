"""Notify the desktop in the background: the notifier is started and forgotten."""
# corpus: shape = "escapes"
# corpus: tags = ["function", "subprocess"]
# corpus: leaks_before = true
# corpus: leak = ["child:"]
# corpus: safe_fix = "none"
# corpus: unsafe_note = "waits for the process"

import os
import subprocess
import sys

NOTIFIER = "import sys, time; time.sleep(0.2); open(sys.argv[1], 'w').write(sys.argv[2])"


def notify(message, outbox):
    subprocess.Popen([sys.executable, "-c", NOTIFIER, os.path.join(outbox, "note.txt"), message])
    return "queued"


def run(workdir, server_addr):
    return notify("build finished", workdir)
