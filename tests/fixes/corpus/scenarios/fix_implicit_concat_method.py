"""Render an e-mail body whose paragraphs are implicitly concatenated strings in the block."""
# corpus: shape = "should-fix"
# corpus: tags = ["method", "file", "continuation", "comments"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


class Mailer:
    def __init__(self, outbox):
        self.outbox = outbox

    def draft(self, name, items):
        out = open(os.path.join(self.outbox, f"{name}.txt"), "w", encoding="utf-8")
        greeting = ("Dear customer,\n"
                    # the legal team wants this sentence verbatim
                    "your order has shipped.\n")
        out.write(greeting)
        if not items:
            return 0
        out.write("Items: "
                  + ", ".join(items)
                  + "\n")
        out.close()
        return len(items)


def run(workdir, server_addr):
    mailer = Mailer(workdir)
    result = {"full": mailer.draft("a", ["bolt", "nut"]), "empty": mailer.draft("b", [])}
    with open(os.path.join(workdir, "a.txt"), encoding="utf-8") as f:
        result["text"] = f.read()
    return result
