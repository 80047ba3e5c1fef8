"""Read a banner unless the caller asked for a quiet start."""
# corpus: shape = "inline-open"
# corpus: tags = ["method", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "none"

import os


class Console:
    def __init__(self, banner_path, quiet):
        self.banner_path = banner_path
        self.quiet = quiet

    def banner(self):
        return "" if self.quiet else open(self.banner_path, encoding="utf-8").read()


def run(workdir, server_addr):
    path = os.path.join(workdir, "banner.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("Welcome\n")
    quiet = Console(os.path.join(workdir, "missing.txt"), quiet=True).banner()
    return [Console(path, quiet=False).banner(), quiet]
