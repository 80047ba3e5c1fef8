"""Settings class whose defaults come from a file; its public attributes are the settings."""
# corpus: shape = "naming"
# corpus: tags = ["script", "class-body", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "any"
# corpus: run = "script"

import json
import os
import sys

CONFIG = os.path.join(sys.argv[1], "defaults.json")
with open(CONFIG, "w", encoding="utf-8") as out:
    json.dump({"theme": "dark"}, out)


class Settings:
    DEFAULTS = json.load(open(CONFIG, encoding="utf-8"))
    TIMEOUT = 5


print(sorted(k for k in vars(Settings) if not k.startswith("_")))
print(Settings.DEFAULTS)
