"""Count words with an external tool that reads a file (the tool wants a path)."""
# corpus: shape = "derived"
# corpus: tags = ["function", "tempfile", "subprocess"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:NamedTemporaryFile"]
# corpus: safe_fix = "expected"

import subprocess
import sys
import tempfile

TOOL = "import sys; print(len(open(sys.argv[1]).read().split()))"


def count_words(text, scratch):
    tmp = tempfile.NamedTemporaryFile("w", suffix=".txt", dir=scratch, encoding="utf-8")
    tmp.write(text)
    tmp.flush()
    name = tmp.name
    proc = subprocess.run(
        [sys.executable, "-c", TOOL, name], capture_output=True, text=True, check=True
    )
    return int(proc.stdout)


def run(workdir, server_addr):
    return count_words("the quick brown fox", workdir)
