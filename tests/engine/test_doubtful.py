"""Classes of findings the labeled samples found unreliable (findings/doubtful.py): a lock
held past the function or leaked only through a call not known to fail, and an instance of a
project class leaked except through a likely failure, are information, and the message says
why; a likely failure keeps them warnings. The fixtures' markers say which."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from unleak.pipeline.api import check_source
from unleak.settings import Settings, Severity

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules"
MARKED = re.compile(r"#\s*error: (UL\d{3}) \((information|warning):")


def marked_and_found(path: Path) -> tuple[dict[int, str], dict[int, tuple[str, str]]]:
    """The severity each marked line asks for, and what the engine reports there."""
    text = path.read_text(encoding="utf-8")
    wanted = {
        n: ("info" if m.group(2) == "information" else "warning")
        for n, line in enumerate(text.splitlines(), 1)
        if (m := MARKED.search(line))
    }
    got = {f.span.line: (f.severity.value, f.message) for f in check_source(text, str(path))}
    return wanted, got


@pytest.mark.parametrize("fixture", ["UL105/doubtful.py", "UL102/doubtful_instances.py"])
def test_fixture_severities(fixture: str) -> None:
    wanted, got = marked_and_found(FIXTURES / fixture)
    assert wanted and "info" in wanted.values() and "warning" in wanted.values()
    assert {n: sev for n, (sev, _) in got.items()} == wanted
    for sev, message in got.values():
        # The message says why a finding is information, and only then.
        assert ("; information: " in message) == (sev == "info"), message


def test_messages_say_why() -> None:
    _, got = marked_and_found(FIXTURES / "UL105" / "doubtful.py")
    messages = [message for _, message in got.values()]
    assert any("a lock held past the function is often handed on" in m for m in messages)
    assert any("only a call not known to fail leaks it" in m for m in messages)
    _, got = marked_and_found(FIXTURES / "UL102" / "doubtful_instances.py")
    assert any("may hold nothing open" in message for _, message in got.values())


def test_the_lower_severity_is_the_unlikely_severity() -> None:
    src = textwrap.dedent(
        """
        import threading

        lock = threading.Lock()

        def lookup(cache, key):
            lock.acquire()
            value = cache.lookup(key)
            lock.release()
            return value
        """
    )
    (finding,) = check_source(src, "m.py", Settings())
    assert finding.severity == Severity.INFO
    keep = Settings(unlikely_severities=(("UL105", Severity.WARNING),))
    (finding,) = check_source(src, "m.py", keep)
    # Kept a warning by the settings: nothing says it is information.
    assert finding.severity == Severity.WARNING
    assert "information" not in finding.message
