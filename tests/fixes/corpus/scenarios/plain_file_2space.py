"""Count the words of each paragraph (indented with two spaces)."""
# corpus: shape = "plain"
# corpus: tags = ["function", "file", "2-space"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def paragraph_words(path):
  f = open(path, encoding="utf-8")
  text = f.read()
  if not text.strip():
    return []
  counts = [len(p.split()) for p in text.split("\n\n")]
  f.close()
  return counts


def run(workdir, server_addr):
  path = os.path.join(workdir, "essay.txt")
  with open(path, "w", encoding="utf-8") as f:
    f.write("one two\n\nthree four five\n")
  blank = os.path.join(workdir, "blank.txt")
  with open(blank, "w", encoding="utf-8") as f:
    f.write("\n\n")
  return [paragraph_words(path), paragraph_words(blank)]
