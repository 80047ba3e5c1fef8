"""A fix's check analyses only the definitions the fixes changed (the others' findings are not
compared): the fixes it lets through are those a check of the whole fixed text lets through."""

from __future__ import annotations

import sysconfig
from pathlib import Path
from typing import Any

import pytest
import unleak.pipeline.fix_offers as fix_offers
import unleak.pipeline.fix_pass as fix_pass
from unleak.pipeline.api import analyse_source
from unleak.pipeline.fix_offers import offered_fixes, unit_cache
from unleak.pipeline.fix_parse import Reparser
from unleak.settings import Settings

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def offered(text: str, name: str) -> list[tuple[object, ...]]:
    # As the command line checks them (`cli.analysis`): the fixed texts reparsed by chunks.
    units, parser, settings = unit_cache(), Reparser(), Settings()
    module = name.removesuffix(".py").replace("/", ".")
    report = analyse_source(
        text, name, settings, module, units, keep_tree=True, parsed=parser.parse(text)
    )
    found = offered_fixes(text, name, settings, module, report, units, parser)
    return [(f.code, f.span, f.message, f.fix) for f in found]


@pytest.mark.parametrize(
    "name",
    [
        "socket.py",
        "ftplib.py",
        "asyncio/windows_events.py",
        "logging/handlers.py",
        "webbrowser.py",
        # Each has a fix the check turns down (10 of 11, 15 of 16 offered).
        "test/lock_tests.py",
        "test/test_mmap.py",
    ],
)
def test_the_check_of_the_changed_definitions_lets_through_what_a_whole_check_does(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (STDLIB / name).read_text(encoding="utf-8")
    restricted: list[object] = []
    real = fix_pass.analyse

    def recording(*args: Any, **kwargs: Any) -> Any:
        restricted.append(kwargs.get("scopes", args[4] if len(args) > 4 else None))
        return real(*args, **kwargs)

    monkeypatch.setattr(fix_offers, "analyse", recording)
    checked = offered(text, name)
    assert any(s for s in restricted), "no check was restricted to its definitions"

    def whole(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop("scopes", None)
        return real(*args[:4], **kwargs)

    monkeypatch.setattr(fix_offers, "analyse", whole)
    monkeypatch.setattr(fix_pass, "analyse", whole)
    assert offered(text, name) == checked
    assert any(fix is not None for *_, fix in checked)
