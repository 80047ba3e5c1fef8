"""Ask a tool for its version: it prints one line, then keeps initialising for a while."""

import subprocess
import sys

TOOL = "import time; print('tool 2.4.1', flush=True); time.sleep(1)"


def tool_version():
    proc = subprocess.Popen([sys.executable, "-c", TOOL], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    name, _, version = line.strip().partition(" ")
    if name != "tool":
        raise RuntimeError(f"unexpected banner {line!r}")
    return version


def run(workdir, server_addr):
    return {"version": tool_version()}
