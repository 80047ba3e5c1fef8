"""Write a report whose template is a multi-line string inside the block to rewrite."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "file", "continuation"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def write_report(path, name, total):
    out = open(path, "w", encoding="utf-8")
    out.write(f"""\
Report
  for: {name}
  total: {total}
""")
    if total == 0:
        return False
    out.close()
    return True


def run(workdir, server_addr):
    path = os.path.join(workdir, "report.txt")
    ok = write_report(path, "ada", 3)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return {"ok": ok, "text": text, "zero": write_report(path, "bob", 0)}
