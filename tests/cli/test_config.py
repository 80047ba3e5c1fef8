"""[tool.unleak]: loading, the upward search, and strict validation with clear messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from unleak.config import ConfigError, find_pyproject, load_config, load_config_file
from unleak.settings import ExtraResource, Severity

from .helpers import RunCli, write

FULL = """
[tool.unleak]
select = ["UL1", "UL001"]
ignore = ["UL109"]
exclude = ["generated"]
extend-exclude = ["legacy/*.py"]
per-file-ignores = { "tests/*.py" = ["UL101", "UL102"] }
severity = { UL1 = "info", UL105 = "error" }

[[tool.unleak.extra-resources]]
factory = "mylib.connect"
release = ["close", "dispose"]
kind = "connection"
with-releases = false

[[tool.unleak.extra-resources]]
factory = "pool.lease"
"""


def test_full_config_is_loaded(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": FULL})
    config = load_config(tmp_path)
    assert config.source == tmp_path / "pyproject.toml"
    assert config.root == tmp_path
    assert config.select == ("UL1", "UL001")
    assert config.ignore == ("UL109",)
    assert config.all_excludes == ("generated", "legacy/*.py")
    assert config.per_file_ignores == (("tests/*.py", ("UL101", "UL102")),)
    severity = dict(config.severity)
    # A prefix applies to every code under it; the more specific entry wins.
    assert severity["UL101"] == Severity.INFO
    assert severity["UL105"] == Severity.ERROR
    assert "UL001" not in severity
    assert config.extra_resources == (
        ExtraResource("mylib.connect", ("close", "dispose"), "connection", False),
        ExtraResource("pool.lease", ("close",), "resource", True),
    )


def test_search_goes_upward_and_skips_pyprojects_without_the_table(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.unleak]\nignore = ["UL108"]\n',
            "sub/pyproject.toml": "[project]\nname = 'sub'\n",
            "sub/pkg/mod.py": "",
        },
    )
    configured, nearest = find_pyproject(tmp_path / "sub" / "pkg" / "mod.py")
    assert configured == tmp_path / "pyproject.toml"
    assert nearest == tmp_path / "sub" / "pyproject.toml"
    assert load_config(tmp_path / "sub" / "pkg").ignore == ("UL108",)


def test_no_table_means_defaults_rooted_at_the_nearest_pyproject(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n", "a/b.py": ""})
    config = load_config(tmp_path / "a")
    assert config.source is None
    assert config.root == tmp_path
    assert config.select == () and config.extra_resources == ()


def test_standalone_config_file_uses_top_level_keys(tmp_path: Path) -> None:
    write(tmp_path, {"unleak.toml": 'ignore = ["UL101"]\n'})
    assert load_config_file(tmp_path / "unleak.toml").ignore == ("UL101",)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("selct = []", "unknown key 'selct' (did you mean 'select'?)"),
        ('select = "UL101"', "select: expected an array of strings, got a string"),
        ("select = [101]", "select[0]: expected a string, got an integer"),
        ('ignore = ["UL999"]', "ignore: unknown rule code or prefix 'UL999'"),
        ('ignore = ["E501"]', "unknown rule code or prefix 'E501'"),
        ('severity = { UL101 = "fatal" }', "unknown severity 'fatal'"),
        ('severity = { UL777 = "error" }', "unknown rule code or prefix 'UL777'"),
        ("severity = []", "severity: expected a table, got an array"),
        ('per-file-ignores = { "a.py" = "UL101" }', "per-file-ignores.'a.py'"),
        ('per-file-ignores = { "a.py" = ["XX1"] }', "unknown rule code or prefix 'XX1'"),
        ("exclude = [1]", "exclude[0]: expected a string"),
        ("exclude = ['ok', 'bad\\']", "exclude[1]: invalid pattern"),
        ("extend-exclude = ['[z-a].py']", "extend-exclude[0]: invalid pattern '[z-a].py'"),
        ("per-file-ignores = { '!' = ['UL101'] }", "per-file-ignores.'!': invalid pattern"),
        ('extend-exclude = "x"', "extend-exclude: expected an array of strings"),
        ("extra-resources = {}", "extra-resources: expected an array of tables"),
        ("extra-resources = [{ release = ['close'] }]", "[0]: missing key 'factory'"),
        ("extra-resources = [{ factory = 'not a name' }]", "expected a dotted name"),
        ("extra-resources = [{ factory = 'a.b', relase = ['x'] }]", "unknown key 'relase'"),
        ("extra-resources = [{ factory = 'a.b', release = [] }]", "at least one method"),
        ("extra-resources = [{ factory = 'a.b', with-releases = 'yes' }]", "expected a boolean"),
        ("extra-resources = [{ factory = 'a.b', kind = 3 }]", "kind: expected a non-empty"),
    ],
)
def test_invalid_config_is_a_clear_error(tmp_path: Path, toml: str, expected: str) -> None:
    write(tmp_path, {"pyproject.toml": f"[tool.unleak]\n{toml}\n"})
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    message = str(info.value)
    assert expected in message
    assert str(tmp_path / "pyproject.toml") in message


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[tool.unleak\nselect = \n"})
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path)


def test_tool_unleak_must_be_a_table(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[tool]\nunleak = 3\n"})
    with pytest.raises(ConfigError, match=r"\[tool.unleak\] must be a table"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    "toml",
    [
        "[tool.unleak]\nbogus = 1\n",
        "[tool.unleak]\nselect = ['UL999']\n",
        "[tool.unleak\n",
        "[tool.unleak]\nseverity = { UL101 = 'loud' }\n",
    ],
)
def test_cli_reports_invalid_config_and_exits_2(cli: RunCli, tmp_path: Path, toml: str) -> None:
    write(tmp_path, {"pyproject.toml": toml, "a.py": "x = 1\n"})
    result = cli("check", "a.py")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("unleak: error: ")
    assert "pyproject.toml" in lines[0]
    assert result.out == ""


def test_cli_missing_config_file(cli: RunCli, tmp_path: Path) -> None:
    result = cli("check", "--config", "nope.toml")
    assert result.code == 2
    assert "unleak: error:" in result.err and "nope.toml" in result.err


def test_cli_rejects_unknown_codes_on_the_command_line(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "x = 1\n"})
    result = cli("check", "--select", "UL101,BOGUS")
    assert result.code == 2
    assert result.err.strip() == "unleak: error: --select: unknown rule code or prefix 'BOGUS'"


def test_unlikely_severity_is_loaded_and_reaches_the_engine_settings(tmp_path: Path) -> None:
    from unleak.cli.resolve import SettingsResolver

    table = 'unlikely-severity = { UL1 = "hint", UL102 = "warning" }'
    write(tmp_path, {"pyproject.toml": f"[tool.unleak]\n{table}\n"})
    config = load_config(tmp_path)
    chosen = dict(config.unlikely_severity)
    assert chosen["UL102"] == Severity.WARNING and chosen["UL107"] == Severity.HINT
    settings = SettingsResolver(config).for_path(tmp_path / "m.py")
    assert settings.unlikely_severity_for("UL102", Severity.WARNING) == Severity.WARNING
    assert settings.unlikely_severity_for("UL107", Severity.WARNING) == Severity.HINT


def test_unlikely_severity_errors_name_their_key(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[tool.unleak]\nunlikely-severity = { UL102 = "loud" }\n'})
    with pytest.raises(ConfigError, match=r"unlikely-severity.*unknown severity 'loud'"):
        load_config(tmp_path)
