def write_report(path, name, total):
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"""\
Report
    for: {name}
    total: {total}
""")
        if total == 0:
            return False
    return True


def export_sql(path, rows):
    with open(path, "w", encoding="utf-8") as out:
        out.write("create table items ("
                  "name text, "
                  "qty integer);\n")
        for name, qty in rows:
            if qty < 0:
                return None
            out.write('insert into items values \
    (?, ?);\n')
    return len(rows)


def column_sums(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        if not header:
            return None
        label = "sums: " \
            "ok"
        data = f.read()
    return label, data
