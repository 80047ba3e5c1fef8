"""A deliberately faulty fix for UL107, for tests of the check every fix passes before it is
offered: it adds a comment line where the real fix starts, so its finding stays.

The builders of today produce no fix that fails its check on the fixtures, the fix corpus or
the real projects tried, so the tests of that check build one.
"""

from __future__ import annotations

from unleak.findings.model import Edit, Fix
from unleak.fixes import registry
from unleak.source.spans import Span

CODE = "UL107"


def install() -> None:
    real = registry.BUILDERS[CODE]

    def faulty(context: object) -> Fix | None:
        fix = real(context)
        if fix is None:
            return None
        line = fix.edits[-1].span.line
        return Fix(fix.description, True, (Edit(Span(line, 0, line, 0), "# reviewed\n"),))

    registry.BUILDERS[CODE] = faulty
