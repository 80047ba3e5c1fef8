import json


def load(path):
    return json.load(open(path, encoding="utf-8"))


def count(path):
    total = 0
    for line in open(path):
        total += 1
    return total
