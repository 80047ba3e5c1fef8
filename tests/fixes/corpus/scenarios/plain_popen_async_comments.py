"""Run a formatter from an async handler; comments inside the block."""
# corpus: shape = "plain"
# corpus: tags = ["async", "subprocess", "comments"]
# corpus: leaks_before = true
# corpus: leak = ["child:"]
# corpus: safe_fix = "none"
# corpus: unsafe_note = "waits for the process"

import asyncio
import subprocess
import sys

FORMATTER = "import sys; print(sys.stdin.read().strip().title())"


async def format_title(text):
    proc = subprocess.Popen(  # a synchronous tool, started from the handler
        [sys.executable, "-c", FORMATTER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    # feed it, then let other tasks run while it works
    proc.stdin.write(text)
    proc.stdin.close()
    await asyncio.sleep(0)
    title = proc.stdout.read().strip()  # one line back
    proc.stdout.close()
    return title


async def run(workdir, server_addr):
    return await format_title("resource leaks in python")
