import json


def load(path):
    f = open(path, encoding="utf-8")
    data = json.load(f)
    f.close()
    return data
