import json


def load(path, hook):
    settings = json.load(open(path,
                              encoding="utf-8"),
                         object_hook=hook)
    return settings


def header(path):
    fields = open(path).readline().rstrip("\n").split(",",
                                                      maxsplit=3)
    return fields


def hanging(path):
    return json.load(open(
        path, encoding="utf-8"
    ))


def first_words(path):
    words = open(path,
                 encoding="utf-8").read().split(None,
                                                2)
    return words
