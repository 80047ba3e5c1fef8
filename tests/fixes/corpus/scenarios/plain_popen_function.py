"""Ask a tool for its version; the process is never waited for."""
# corpus: shape = "plain"
# corpus: tags = ["function", "subprocess"]
# corpus: leaks_before = true
# corpus: leak = ["child:"]
# corpus: safe_fix = "none"
# corpus: unsafe_note = "waits for the process"

import subprocess
import sys

TOOL = "print('tool 2.4.1')"


def tool_version():
    proc = subprocess.Popen([sys.executable, "-c", TOOL], stdout=subprocess.PIPE, text=True)
    name, _, version = proc.stdout.readline().strip().partition(" ")
    if name != "tool":
        raise RuntimeError("unexpected banner")
    return version


def run(workdir, server_addr):
    return tool_version()
