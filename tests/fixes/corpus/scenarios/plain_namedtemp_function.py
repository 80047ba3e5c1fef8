"""Render a config into a named temporary file and report its size."""
# corpus: shape = "plain"
# corpus: tags = ["function", "tempfile"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:NamedTemporaryFile"]
# corpus: safe_fix = "expected"

import os
import tempfile


def rendered_size(settings, scratch):
    tmp = tempfile.NamedTemporaryFile("w", suffix=".ini", dir=scratch, encoding="utf-8")
    for key, value in settings.items():
        tmp.write(f"{key} = {value}\n")
    tmp.flush()
    return os.path.getsize(tmp.name)


def run(workdir, server_addr):
    return rendered_size({"host": "a", "port": 80}, workdir)
