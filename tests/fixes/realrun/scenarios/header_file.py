"""Read record files that start with a header line; an empty file has no records."""

import os


def read_records(path):
    f = open(path, encoding="utf-8")
    header = f.readline()
    if not header:
        return None
    fields = header.strip().split(",")
    records = []
    for line in f:
        values = line.strip().split(",")
        if len(values) != len(fields):
            raise ValueError(f"{os.path.basename(path)}: bad record {line.strip()!r}")
        records.append(dict(zip(fields, values, strict=True)))
    f.close()
    return records


def run(workdir, server_addr):
    files = {
        "people.csv": "name,age\nada,36\nalan,41\n",
        "empty.csv": "",
        "broken.csv": "name,age\nada\n",
    }
    found = {}
    for name, content in files.items():
        path = os.path.join(workdir, name)
        with open(path, "w", encoding="utf-8") as out:
            out.write(content)
        try:
            found[name] = read_records(path)
        except ValueError as exc:
            found[name] = str(exc)
    return found
