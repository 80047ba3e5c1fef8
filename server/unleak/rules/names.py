"""Each rule's name by its code, without importing the rules (and with them the engine).

Kept equal to the registry's by a test (tests/test_rule_fixtures.py).
"""

from __future__ import annotations

RULE_NAMES: dict[str, str] = {
    "UL001": "syntax-error",
    "UL101": "not-released",
    "UL102": "not-released-on-exception",
    "UL103": "with-does-not-release",
    "UL104": "unbound-in-finally",
    "UL105": "lock-not-released",
    "UL106": "class-never-releases",
    "UL107": "reassigned-before-release",
    "UL108": "dropped-task",
    "UL109": "cache-keeps-instances",
    "UL110": "used-after-release",
}
