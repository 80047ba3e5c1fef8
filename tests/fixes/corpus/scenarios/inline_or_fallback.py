"""Load a template, unless the caller passes an override stream."""
# corpus: shape = "inline-open"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "none"

import io
import os


def load_template(path, override=None):
    source = override or open(path, encoding="utf-8")
    return source.read()


def run(workdir, server_addr):
    path = os.path.join(workdir, "page.tmpl")
    with open(path, "w", encoding="utf-8") as f:
        f.write("<h1>{title}</h1>")
    override = io.StringIO("<h2>{title}</h2>")
    missing = os.path.join(workdir, "missing.tmpl")
    return [load_template(path), load_template(missing, override)]
