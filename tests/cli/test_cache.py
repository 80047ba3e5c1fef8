"""The result cache: round trips, keys, and robustness to corruption."""

from __future__ import annotations

from pathlib import Path

from unleak.cli.cache import (
    Cache,
    content_hash,
    finding_from_json,
    finding_to_json,
    settings_fingerprint,
)
from unleak.engine.findings import Edit, Finding, Fix, Related, Severity, Span
from unleak.engine.settings import ExtraResource, Settings

FINDING = Finding(
    "UL102",
    "not released when `f.write()` raises — ünïcode",
    Span(3, 4, 3, 20),
    Severity.WARNING,
    related=(Related(Span(4, 4, 4, 13), "released here"),),
    fix=Fix("use with", True, (Edit(Span(3, 4, 3, 20), "with open(p) as f:"),)),
    details=(("kind", "file"), ("path", "exception")),
)


def test_finding_round_trip() -> None:
    assert finding_from_json(finding_to_json(FINDING)) == FINDING


def test_get_put_and_key_mismatch(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    key = Cache.key("a.py", settings_fingerprint(Settings()), content_hash(b"x"))
    assert cache.get("a.py", key) is None
    cache.put("a.py", key, [FINDING])
    assert cache.get("a.py", key) == [FINDING]
    other = Cache.key("a.py", settings_fingerprint(Settings()), content_hash(b"y"))
    assert other != key
    assert cache.get("a.py", other) is None  # the content changed
    assert (tmp_path / "c" / "CACHEDIR.TAG").is_file()
    assert (tmp_path / "c" / ".gitignore").read_text() == "*\n"


def test_settings_change_the_fingerprint() -> None:
    base = settings_fingerprint(Settings())
    assert settings_fingerprint(Settings()) == base
    assert settings_fingerprint(Settings(ignore=("UL101",))) != base
    assert settings_fingerprint(Settings(select=("UL1",))) != base
    assert settings_fingerprint(Settings(severities=(("UL101", Severity.ERROR),))) != base
    assert settings_fingerprint(Settings(extra_resources=(ExtraResource("a.b"),))) != base


def test_corrupt_entries_are_misses(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = Cache.key("a.py", "s", "h")
    cache.put("a.py", key, [FINDING])
    (entry,) = (tmp_path / "v1").rglob("*.json")
    for garbage in (
        b"",
        b"{not json",
        b"[]",
        b'{"key": "%s"}' % key.encode(),
        b'{"key": "%s", "findings": [{"code": 1}]}' % key.encode(),
        b"\xff\xfe",
    ):
        entry.write_bytes(garbage)
        assert cache.get("a.py", key) is None
    cache.put("a.py", key, [FINDING])  # and is overwritten by the next run
    assert cache.get("a.py", key) == [FINDING]


def test_unwritable_cache_is_ignored(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = Cache(blocker / "cache")  # cannot create a directory under a file
    cache.put("a.py", "k", [FINDING])
    assert cache.get("a.py", "k") is None
