"""The message of the day, empty when there is none."""
# corpus: shape = "inline-open"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "none"

import os


def message_of_the_day(path):
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    return text.strip()


def run(workdir, server_addr):
    present = os.path.join(workdir, "motd")
    with open(present, "w", encoding="utf-8") as f:
        f.write("  maintenance at noon \n")
    return [message_of_the_day(present), message_of_the_day(os.path.join(workdir, "none"))]
