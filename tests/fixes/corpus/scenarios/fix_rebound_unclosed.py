"""Read the header of one log and the body of another, reusing the name for both."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def header_and_body(head_path, body_path):
    log = open(head_path, encoding="utf-8")
    header = log.readline().strip()
    log = open(body_path, encoding="utf-8")
    body = log.read()
    log.close()
    return header, body


def run(workdir, server_addr):
    head = os.path.join(workdir, "head.log")
    body = os.path.join(workdir, "body.log")
    with open(head, "w", encoding="utf-8") as f:
        f.write("v2\nignored\n")
    with open(body, "w", encoding="utf-8") as f:
        f.write("line 1\nline 2\n")
    return header_and_body(head, body)
