"""Merge the generated defaults with the settings file that generating them writes."""
# corpus: shape = "inline-open"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "none"

import json
import os


def prepare_defaults(workdir):
    defaults = {"theme": "light", "lang": "en"}
    with open(os.path.join(workdir, "settings.json"), "w", encoding="utf-8") as f:
        json.dump({"lang": "fr"}, f)
    return defaults


def merge(defaults, overrides):
    return {**defaults, **overrides}


def load_settings(workdir):
    return merge(prepare_defaults(workdir), json.load(open(os.path.join(workdir, "settings.json"))))


def run(workdir, server_addr):
    return load_settings(workdir)
