"""Count the non-blank lines of a source file for the statistics page."""
# corpus: shape = "derived"
# corpus: tags = ["method", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


class SourceStats:
    def __init__(self, root):
        self.root = root

    def count_lines(self, name):
        f = open(os.path.join(self.root, name), encoding="utf-8")
        nonblank = filter(str.strip, f)
        return sum(1 for _ in nonblank)


def run(workdir, server_addr):
    with open(os.path.join(workdir, "mod.py"), "w", encoding="utf-8") as f:
        f.write("import os\n\n\ndef main():\n    pass\n")
    stats = SourceStats(workdir)
    result = {"mod.py": stats.count_lines("mod.py")}
    try:
        stats.count_lines("missing.py")
    except OSError as exc:
        result["missing.py"] = type(exc).__name__
    return result
