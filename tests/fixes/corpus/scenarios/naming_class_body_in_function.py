"""A form class built per request; its public attributes become the form's fields."""
# corpus: shape = "naming"
# corpus: tags = ["function", "class-body", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "any"

import json
import os


def make_form(path):
    class Form:
        choices = json.load(open(path, encoding="utf-8"))
        required = True

    return sorted(k for k in vars(Form) if not k.startswith("_"))


def run(workdir, server_addr):
    path = os.path.join(workdir, "choices.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(["red", "green"], out)
    return make_form(path)
