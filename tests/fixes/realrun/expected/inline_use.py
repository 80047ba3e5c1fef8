"""Load a JSON manifest and a text template, each in one expression."""

import json
import os


def load_manifest(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_template(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def run(workdir, server_addr):
    manifest = os.path.join(workdir, "manifest.json")
    with open(manifest, "w", encoding="utf-8") as out:
        json.dump({"name": "demo", "files": ["a.txt", "b.txt"]}, out)
    template = os.path.join(workdir, "page.tmpl")
    with open(template, "w", encoding="utf-8") as out:
        out.write("<h1>{name}</h1>\n")
    data = load_manifest(manifest)
    return {"manifest": data, "page": read_template(template).format(**data)}
