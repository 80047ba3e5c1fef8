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


def export_sql(path, rows):
    out = open(path, "w", encoding="utf-8")
    out.write("create table items ("
              "name text, "
              "qty integer);\n")
    for name, qty in rows:
        if qty < 0:
            return None
        out.write('insert into items values \
    (?, ?);\n')
    out.close()
    return len(rows)


def column_sums(path):
    f = open(path, encoding="utf-8")
    header = f.readline().strip().split(",")
    if not header:
        return None
    label = "sums: " \
        "ok"
    data = f.read()
    f.close()
    return label, data
