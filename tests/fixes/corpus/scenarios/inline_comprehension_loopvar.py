"""Sizes of the templates, read with one inline open() per name."""
# corpus: shape = "inline-open"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "none"

import os


def template_sizes(root, names):
    return {name: len(open(os.path.join(root, name), encoding="utf-8").read()) for name in names}


def run(workdir, server_addr):
    for name, text in [("a.tmpl", "<a>"), ("b.tmpl", "<bb>")]:
        with open(os.path.join(workdir, name), "w", encoding="utf-8") as f:
            f.write(text)
    return template_sizes(workdir, ["a.tmpl", "b.tmpl"])
