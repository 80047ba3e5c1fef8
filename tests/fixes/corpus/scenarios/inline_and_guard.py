"""The optional notes file of a ticket: no path, no notes."""
# corpus: shape = "inline-open"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "none"

import os


def ticket_notes(notes_path):
    notes = notes_path and open(notes_path, encoding="utf-8").read()
    return notes or "(no notes)"


def run(workdir, server_addr):
    path = os.path.join(workdir, "T-1.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("call back on monday")
    return [ticket_notes(path), ticket_notes(None), ticket_notes("")]
