import json


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def count(path):
    total = 0
    with open(path) as f:
        for line in f:
            total += 1
    return total
