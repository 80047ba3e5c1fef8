"""Buffer rows in an anonymous temporary file before sorting them (CRLF line endings)."""
# corpus: shape = "plain"
# corpus: tags = ["method", "tempfile", "crlf"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import tempfile


class Sorter:
    def __init__(self, scratch):
        self.scratch = scratch

    def sort_rows(self, rows):
        buf = tempfile.TemporaryFile("w+", dir=self.scratch, encoding="utf-8")
        for row in rows:
            buf.write(row.upper() + "\n")
        buf.seek(0)
        result = sorted(buf.read().split())
        buf.close()
        return result


def run(workdir, server_addr):
    sorter = Sorter(workdir)
    result = {"sorted": sorter.sort_rows(["b", "a"])}
    try:
        sorter.sort_rows(["c", 1])
    except AttributeError as exc:
        result["error"] = str(exc)
    return result
