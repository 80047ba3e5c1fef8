"""The result cache: packing findings, the single cache file, robustness to corruption."""

from __future__ import annotations

import json
from pathlib import Path

from unleak.cli.cache import (
    CACHE_FILE,
    ELSEWHERE,
    SUMMARIES_FILE,
    Cache,
    build_fingerprint,
    external_hash,
    pack_finding,
    read_entry,
    settings_fingerprint,
    unpack_finding,
)
from unleak.findings.model import Edit, Finding, Fix, Related
from unleak.index.model import ModuleSummary
from unleak.settings import ExtraResource, Settings, Severity
from unleak.source.spans import Span

FINDING = Finding(
    "UL102",
    "not released when `f.write()` raises — ünïcode",
    Span(3, 4, 3, 20),
    Severity.WARNING,
    related=(Related(Span(4, 4, 4, 13), "released here"),),
    fix=Fix("use with", True, (Edit(Span(3, 4, 3, 20), "with open(p) as f:"),)),
    details=(("kind", "file"), ("path", "exception")),
)


SUMMARY = ModuleSummary(
    "m",
    functions={"f": ("file", (), None, ("p",), (), (("p", "release"),))},
    classes={
        "C": ("`C` instance", ("close",), True, True, ("connect",), (), ()),
        # Released only when `read()` returns; opens only a path given as `source`.
        "R": ("`R` instance", ("close", "read"), False, False, (), ("read",), ("source", 0)),
    },
    imports={"os": "os"},
    uses=("os",),
    owners={
        "D": (
            ("`D` instance", ("close",), False, False, (), (), ()),
            ("pkg.net.Session",),
            (),
            (),
            (),
        ),
        # A class keeping an instance of the class its `session=` argument chooses.
        "E": (
            ("`E` instance", ("close",), False, True, (), (), ()),
            ("pkg.net.Session",),
            ("session", -1),
            ("pkg.base.Base",),
            ("_session",),
        ),
    },
    wrappers={"W": (("fd",), ("timeout",), (("fd", ("os.close",)),), ("close",), ("fd",))},
    aliases={"Base": "pkg.util.with_typehint"},
    object_functions=("plain_base",),
)


def entry(findings: list[Finding] | None = None) -> list[object]:
    packed = [pack_finding(f) for f in findings or [FINDING]]
    return [10, 123, "digest", "key", "", packed, json.loads(json.dumps(SUMMARY.to_data())), None]


def test_finding_round_trip_through_json() -> None:
    packed = json.loads(json.dumps(pack_finding(FINDING)))
    assert unpack_finding(packed) == FINDING


def test_save_and_load(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    assert cache.load() == {}
    cache.save({"/p/a.py": entry()})
    files = cache.load()
    assert list(files) == ["/p/a.py"]
    assert read_entry(files["/p/a.py"]) == ([FINDING], SUMMARY)
    assert (tmp_path / "c" / "CACHEDIR.TAG").is_file()
    assert (tmp_path / "c" / ".gitignore").read_text() == "*\n"
    assert [p.name for p in (tmp_path / "c").iterdir() if p.suffix == ".tmp"] == []


def test_settings_change_the_fingerprint() -> None:
    base = settings_fingerprint(Settings())
    assert settings_fingerprint(Settings()) == base
    assert settings_fingerprint(Settings(ignore=("UL101",))) != base
    assert settings_fingerprint(Settings(select=("UL1",))) != base
    assert settings_fingerprint(Settings(severities=(("UL101", Severity.ERROR),))) != base
    assert settings_fingerprint(Settings(extra_resources=(ExtraResource("a.b"),))) != base
    # A file's view of the project index is keyed per file, not in the settings fingerprint.
    assert settings_fingerprint(Settings(external_summaries={"m.f": ("file", ())})) == base


def test_external_hash() -> None:
    assert external_hash({}) == ""
    one = external_hash({"m.f": ["file", []]})
    assert one and one == external_hash({"m.f": ("file", ())})
    assert one != external_hash({"m.f": ["socket", []]})


def test_corrupt_cache_files_are_empty(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    for garbage in (
        b"",
        b"{not json",
        b"[]",
        b'{"build": "other", "files": {}}',
        b'{"build": "%s", "files": []}' % build_fingerprint().encode(),
        b"\xff\xfe",
    ):
        (tmp_path / CACHE_FILE).write_bytes(garbage)
        assert cache.load() == {}
    cache.save({"a": entry()})  # and is overwritten by the next run
    assert list(cache.load()) == ["a"]


def test_corrupt_entries_are_rejected() -> None:
    good = entry()
    assert read_entry(good) is not None
    broken: list[object] = [
        None,
        [],
        good[:7],
        [*good[:5], [{"code": 1}], *good[6:]],
        [*good[:5], [["UL101", "m", [1, 2, 3], "warning", [], None, []]], *good[6:]],
        [*good[:5], [["UL101", "m", [1, 2, 3, 4], "loud", [], None, []]], *good[6:]],
        [*good[:6], {"m.f": "file"}, *good[7:]],
        [*good[:6], ["m", {"f": ["file", [1]]}, {}, {}, [], None, []], *good[7:]],
        [*good[:6], ["m", {}, {}, {"os": 1}, [], None, []], *good[7:]],
        [*good[:7], 1],
        ["10", *good[1:]],
        [*good[:2], None, *good[3:]],
    ]
    for bad in broken:
        assert read_entry(bad) is None, bad


def test_unwritable_cache_is_ignored(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = Cache(blocker / "cache")  # cannot create a directory under a file
    cache.save({"a": entry()})
    assert cache.load() == {}


def test_summaries_are_kept_apart_and_read_when_asked(tmp_path: Path) -> None:
    # A run whose files all come from the cache as the last run left them reads no summary.
    cache = Cache(tmp_path)
    cache.save({"a": entry(), "b": [*entry()[:6], None, None]})
    lean = cache.load(summaries=False)
    assert lean["a"][6] == ELSEWHERE and lean["b"][6] is None
    assert read_entry(lean["a"], summary=False) == ([FINDING], None)
    cache.fill(lean)
    assert read_entry(lean["a"]) == ([FINDING], SUMMARY)
    assert read_entry(Cache(tmp_path).load()["a"]) == ([FINDING], SUMMARY)
    # Saving what was loaded without its summaries keeps them.
    cache.save(Cache(tmp_path).load(summaries=False))
    assert read_entry(Cache(tmp_path).load()["a"]) == ([FINDING], SUMMARY)


def test_summaries_of_another_save_make_misses(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.save({"a": entry()})
    older = (tmp_path / SUMMARIES_FILE).read_bytes()
    cache.save({"a": entry()})
    (tmp_path / SUMMARIES_FILE).write_bytes(older)  # a save that did not finish, say
    assert read_entry(Cache(tmp_path).load()["a"]) is None
    (tmp_path / SUMMARIES_FILE).unlink()
    assert read_entry(Cache(tmp_path).load()["a"]) is None
