import json


def load(path, hook):
    with open(path,
              encoding="utf-8") as f:
        settings = json.load(f,
                             object_hook=hook)
    return settings


def header(path):
    with open(path) as f:
        fields = f.readline().rstrip("\n").split(",",
                                                 maxsplit=3)
    return fields


def hanging(path):
    with open(
        path, encoding="utf-8"
    ) as f:
        return json.load(f)


def first_words(path):
    with open(path,
              encoding="utf-8") as f:
        words = f.read().split(None,
                               2)
    return words
