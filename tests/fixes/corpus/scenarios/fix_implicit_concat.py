"""Write an SQL export whose statements are implicitly concatenated strings."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "file", "continuation"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def export_sql(path, rows):
    out = open(path, "w", encoding="utf-8")
    out.write("create table items ("
              "name text, "
              "qty integer);\n")
    for name, qty in rows:
        if qty < 0:
            return None
        out.write("insert into items values "
                  f"('{name}', {qty});\n")
    out.close()
    return len(rows)


def run(workdir, server_addr):
    good = os.path.join(workdir, "good.sql")
    bad = os.path.join(workdir, "bad.sql")
    result = {"good": export_sql(good, [("bolt", 3)]), "bad": export_sql(bad, [("x", -1)])}
    with open(good, encoding="utf-8") as f:
        result["text"] = f.read()
    return result
