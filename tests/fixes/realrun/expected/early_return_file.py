"""Read key=value settings files; a file marked as "use the defaults" is skipped early."""

import os


def read_settings(path):
    f = open(path, encoding="utf-8")
    try:
        first = f.readline()
        if first.startswith("#!defaults"):
            return {}
        settings = {}
        for line in [first, *f]:
            key, sep, value = line.strip().partition("=")
            if sep:
                settings[key.strip()] = value.strip()
    finally:
        f.close()
    return settings


def run(workdir, server_addr):
    app = os.path.join(workdir, "app.conf")
    with open(app, "w", encoding="utf-8") as out:
        out.write("host = example.invalid\nport = 8080\n")
    defaults = os.path.join(workdir, "defaults.conf")
    with open(defaults, "w", encoding="utf-8") as out:
        out.write("#!defaults\nport = 1\n")
    return {"app": read_settings(app), "defaults": read_settings(defaults)}
