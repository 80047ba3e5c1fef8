"""Every excerpt in README.md is true: console sessions and the diff are run and compared with
the real output; the rest (command synopses, configuration, the neovim config, the layout) is
checked against what it describes.

Console sessions (```console blocks) run step by step in a scratch directory:

- `$ cat FILE` followed by text writes that text to FILE (how a session shows its input);
- `$ echo $?` is followed by the exit code of the step before;
- any other `$ COMMAND` runs, with stderr merged into stdout as a terminal shows them, and
  `unleak` meaning this checkout's `python -m unleak`; a `...` line in the expected output
  stands for one or more lines left out.

Only this is normalised: a run's duration (`after 1.4 s`), and Python's own ResourceWarning
lines in a traced program's output (the README says it leaves them out). When the engine's
output changes, these tests fail: update the README with the output they print.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from unleak.cli.args import build_parser
from unleak.cli.formats import RENDERERS
from unleak.config import load_config
from unleak.rules import ALL_RULES

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SERVER = ROOT / "server"
TIMEOUT = 300


@dataclass(frozen=True)
class Excerpt:
    section: str  # the heading above it
    lang: str
    text: str
    line: int  # of the opening fence

    @property
    def id(self) -> str:
        return f"L{self.line}-{self.lang or 'text'}"


def excerpts() -> list[Excerpt]:
    found: list[Excerpt] = []
    section, lang, start, body = "", "", 0, None
    for n, line in enumerate(README.read_text(encoding="utf-8").splitlines(), 1):
        if body is None and line.startswith("#"):
            section = line.lstrip("#").strip()
        elif line.startswith("```"):
            if body is None:
                lang, start, body = line[3:].strip(), n, []
            else:
                found.append(Excerpt(section, lang, "".join(body), start))
                body = None
        elif body is not None:
            body.append(line + "\n")
    return found


def excerpt(section: str, lang: str, nth: int = 0) -> Excerpt:
    matching = [e for e in excerpts() if e.section == section and e.lang == lang]
    assert len(matching) > nth, f"README: no ```{lang} excerpt #{nth} under {section!r}"
    return matching[nth]


# --- running console sessions ----------------------------------------------------------------


@dataclass
class Step:
    command: str
    expected: list[str]


def steps(session: str) -> list[Step]:
    out: list[Step] = []
    for line in session.splitlines():
        if line.startswith("$ "):
            out.append(Step(line[2:], []))
        else:
            assert out, f"output before the first command: {line!r}"
            out[-1].expected.append(line)
    return out


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "UNLEAK_"))}
    # `python` is the interpreter running the tests; unleak is this checkout's.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = str(SERVER)
    env["COLUMNS"] = "200"
    return env


def _argv(command: str) -> list[str]:
    argv = shlex.split(command)
    if Path(argv[0]).name == "unleak":
        return [sys.executable, "-m", "unleak", *argv[1:]]
    return argv


RESOURCE_WARNING = re.compile(r"^(\S+:\d+: )?ResourceWarning: ")
DURATION = re.compile(r"\bafter \d+(\.\d+)? s\b")


def normalised(output: str) -> list[str]:
    lines: list[str] = []
    skip_source = False
    for line in output.splitlines():
        if skip_source and line.startswith("  "):
            skip_source = False  # the source line Python prints under a warning
            continue
        skip_source = False
        if RESOURCE_WARNING.match(line):
            skip_source = bool(re.match(r"^\S+:\d+: ", line))
            continue
        lines.append(DURATION.sub("after <T> s", line))
    return lines


def matches(expected: list[str], actual: list[str]) -> bool:
    pattern = "".join(
        r"(?:.*\n)+" if line == "..." else re.escape(DURATION.sub("after <T> s", line)) + r"\n"
        for line in expected
    )
    return re.fullmatch(pattern, "".join(line + "\n" for line in actual)) is not None


def run_session(session: str, cwd: Path) -> None:
    code: int | None = None
    for step in steps(session):
        argv = shlex.split(step.command)
        if argv[0] == "cat" and len(argv) == 2:
            (cwd / argv[1]).write_text("".join(line + "\n" for line in step.expected), "utf-8")
            continue
        if argv == ["echo", "$?"]:
            assert step.expected == [str(code)], f"`{step.command}`: the exit code was {code}"
            continue
        proc = subprocess.run(
            _argv(step.command),
            cwd=cwd,
            env=_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT,
        )
        code = proc.returncode
        actual = normalised(proc.stdout)
        assert matches(step.expected, actual), (
            f"README's output of `$ {step.command}` is not what it prints now (exit {code}):\n"
            + "\n".join(actual)
        )


# --- the excerpts, one check each ------------------------------------------------------------


def check_setup_commands(e: Excerpt, tmp: Path) -> None:
    commands = [line.split("#")[0].split() for line in e.text.splitlines()]
    assert commands == [["bash", "scripts/setup.sh"], ["bash", "scripts/test.sh"]]
    for _, script in commands:
        subprocess.run(["bash", "-n", str(ROOT / script)], check=True, timeout=60)
    # What the comment says setup.sh does last.
    assert "check examples/" in (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")


def check_what_it_finds(e: Excerpt, tmp: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp / "examples")
    # The session runs `.venv/bin/unleak` from the repository root; here, in a copy.
    run_session(e.text, tmp)


def check_json_shape(e: Excerpt, tmp: Path) -> None:
    run_session(e.text, tmp)


def check_notebook_session(e: Excerpt, tmp: Path) -> None:
    run_session(e.text, tmp)


def check_trace_session(e: Excerpt, tmp: Path) -> None:
    shutil.copy(ROOT / "tests" / "trace" / "fixtures" / "files_and_fds.py", tmp)
    (tmp / "data.txt").write_text("a line\n", encoding="utf-8")  # the file the program reads
    run_session(e.text, tmp)


def _options(command: str) -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._subparsers._actions if a.choices)  # type: ignore[union-attr]
    return {o for a in sub.choices[command]._actions for o in a.option_strings}


def _mentioned(text: str) -> dict[str, set[str]]:
    """Options named in a synopsis, by the subcommand whose lines they are on."""
    found: dict[str, set[str]] = {}
    current = ""
    for line in text.splitlines():
        code = line.split("#")[0]
        match = re.match(r"\s*unleak (\w+)", code)
        if match:
            current = match.group(1)
        found.setdefault(current, set()).update(re.findall(r"(?<![\w-])--?[a-z][\w-]*", code))
    return found


def check_command_synopsis(e: Excerpt, tmp: Path) -> None:
    mentioned = _mentioned(e.text)
    assert set(mentioned) == {"check", "trace", "rules"}
    for command, options in mentioned.items():
        assert options <= _options(command), f"unleak {command}: {options - _options(command)}"
    formats = re.search(r"--format (\S+)", e.text)
    assert formats is not None and set(formats.group(1).split("|")) == set(RENDERERS)
    # Every option of `unleak check` is in this synopsis or in the one under Fixes.
    fixes = _mentioned(excerpt("Fixes", "").text)["check"]
    undocumented = _options("check") - mentioned["check"] - fixes - {"-h", "--help"}
    long_names = {o for o in undocumented if o.startswith("--")}
    assert not long_names, f"options missing from the README's synopsis: {long_names}"


def check_fix_commands(e: Excerpt, tmp: Path) -> None:
    parser = build_parser()
    for line in e.text.splitlines():
        command = line.split("#")[0].replace("< NAME", "").strip()
        argv = shlex.split(command)
        assert argv[:2] == ["unleak", "check"], line
        parser.parse_args(argv[1:])  # exits (fails the test) on an unknown option


def check_fix_diff(e: Excerpt, tmp: Path) -> None:
    lines = e.text.splitlines()
    assert lines[:2] == ["--- app.py", "+++ app.py"]
    assert lines[2].startswith("@@ -1,")
    # The file before the fix: the diff's context and removed lines (the hunk is all of it).
    before = [line[1:] for line in lines[3:] if line[:1] in (" ", "-")]
    assert len(before) == int(re.match(r"@@ -1,(\d+)", lines[2]).group(1))  # type: ignore[union-attr]
    (tmp / "app.py").write_text("".join(line + "\n" for line in before), encoding="utf-8")
    proc = subprocess.run(
        _argv("unleak check --diff app.py"),
        cwd=tmp,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == e.text, "README's diff is not what --diff prints:\n" + proc.stdout


def check_pre_commit(e: Excerpt, tmp: Path) -> None:
    """The example as a project's .pre-commit-config.yaml, run by pre-commit itself in a
    fresh git repository: a staged leak fails the commit check, its fix passes."""
    pre_commit = Path(sys.executable).parent / "pre-commit"
    assert pre_commit.is_file(), "pre-commit is a dev dependency (pip install -e '.[dev]')"
    # The local hook runs the same command as the published hook definition.
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entry = re.search(r"^  entry: (.+)$", hooks, re.M)
    assert entry and f"entry: {entry.group(1)}\n" in e.text
    repo = tmp / "project"
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").write_text(e.text, encoding="utf-8")
    (repo / "app.py").write_text(
        "def read(path):\n    f = open(path)\n    return f.read()\n", encoding="utf-8"
    )
    env = {**_env(), "PRE_COMMIT_HOME": str(tmp / "cache"), "HOME": str(tmp)}
    env |= {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid"}

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in args],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )

    assert run("git", "init", "-q").returncode == 0
    assert run("git", "add", "-A").returncode == 0
    leaky = run(pre_commit, "run")
    assert leaky.returncode == 1, leaky.stdout + leaky.stderr
    assert "unleak" in leaky.stdout and "Failed" in leaky.stdout
    assert "app.py:2:9: UL101" in leaky.stdout, leaky.stdout
    (repo / "app.py").write_text(
        "def read(path):\n    with open(path) as f:\n        return f.read()\n",
        encoding="utf-8",
    )
    assert run("git", "add", "app.py").returncode == 0
    clean = run(pre_commit, "run")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout


def check_configuration(e: Excerpt, tmp: Path) -> None:
    (tmp / "pyproject.toml").write_text(e.text, encoding="utf-8")
    config = load_config(tmp)  # unknown keys, wrong types and unknown codes raise
    assert config.select == ("UL1",) and config.ignore == ("UL107",)
    assert config.extend_select == ("UL109",)
    assert [r.factory for r in config.extra_resources] == ["mylib.db.connect"]


def check_layout(e: Excerpt, tmp: Path) -> None:
    listed = [line.split()[0] for line in e.text.splitlines() if line[:1].strip()]
    for path in listed:
        assert (ROOT / path).exists(), f"README's layout lists {path}, which does not exist"
    packages = {
        f"server/unleak/{p.name}/"
        for p in (SERVER / "unleak").iterdir()
        if (p / "__init__.py").is_file()
    }
    assert packages <= set(listed), f"not in README's layout: {packages - set(listed)}"


def check_vsix_install(e: Excerpt, tmp: Path) -> None:
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert e.text == f"code --install-extension {manifest['name']}-{manifest['version']}.vsix\n"


def _lua_tables(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def check_neovim_config(e: Excerpt, tmp: Path) -> None:
    """Structurally: it starts `unleak server` for Python buffers, with settings the server
    knows, and fix-all is a code action kind the server offers. (tests/e2e/test_neovim.py
    drives neovim with its own init.lua; test_neovim_config_from_the_readme runs this one.)"""
    lua = _lua_tables(e.text)
    assert 'cmd = { "unleak", "server" }' in lua
    assert 'pattern = "python"' in lua
    assert "server" in _subcommands()
    settings = re.search(r"init_options = \{ (\w+) =", lua)
    assert settings is not None
    assert f"| `{settings.group(1)}` |" in section_text("Settings")
    kinds = [p.read_text(encoding="utf-8") for p in (SERVER / "unleak" / "lsp").glob("*.py")]
    assert any("source.fixAll.unleak" in k or "fixAll.unleak" in k for k in kinds)


def _subcommands() -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._subparsers._actions if a.choices)  # type: ignore[union-attr]
    return set(sub.choices)


def section_text(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#+ )", text, re.M | re.S)
    assert match, title
    return match.group(1)


CHECKS: dict[tuple[str, str, int], Callable[[Excerpt, Path], None]] = {
    ("unleak", "bash", 0): check_setup_commands,
    ("What it finds", "console", 0): check_what_it_finds,
    ("The command line", "", 0): check_command_synopsis,
    ("The command line", "console", 0): check_json_shape,
    ("Notebooks", "console", 0): check_notebook_session,
    ("pre-commit", "yaml", 0): check_pre_commit,
    ("Fixes", "", 0): check_fix_commands,
    ("Fixes", "diff", 0): check_fix_diff,
    ("Finding leaks at run time", "console", 0): check_trace_session,
    ("Using it from an editor", "lua", 0): check_neovim_config,
    ("VS Code", "bash", 0): check_vsix_install,
    ("Configuration", "toml", 0): check_configuration,
    ("Layout", "", 0): check_layout,
}


def _keyed() -> list[tuple[tuple[str, str, int], Excerpt]]:
    seen: dict[tuple[str, str], int] = {}
    out = []
    for e in excerpts():
        n = seen.get((e.section, e.lang), 0)
        seen[(e.section, e.lang)] = n + 1
        out.append(((e.section, e.lang, n), e))
    return out


def test_every_excerpt_has_a_check() -> None:
    keys = [key for key, _ in _keyed()]
    assert [k for k in keys if k not in CHECKS] == [], "a README excerpt nobody checks"
    assert [k for k in CHECKS if k not in keys] == [], "a check for an excerpt that is gone"


@pytest.mark.parametrize("keyed", _keyed(), ids=lambda keyed: keyed[1].id)
def test_excerpt(keyed: tuple[tuple[str, str, int], Excerpt], tmp_path: Path) -> None:
    key, e = keyed
    CHECKS[key](e, tmp_path)


# --- what the prose says about the excerpts --------------------------------------------------


def test_rules_table() -> None:
    rows = re.findall(r"^\| (UL\d+) \| ([\w-]+) \|", section_text("Rules"), re.M)
    assert rows == [(r.code, r.name) for r in ALL_RULES]


def test_neovim_config_from_the_readme(tmp_path: Path) -> None:
    """The README's init.lua, run in headless neovim on a leaky file: the diagnostic arrives."""
    nvim = shutil.which("nvim")
    server = Path(sys.executable).parent / "unleak"
    if nvim is None or not server.is_file():
        missing = "nvim" if nvim is None else "the unleak console script"
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"CI=true and {missing} is not installed")
        pytest.skip(f"{missing} is not installed")
    init = tmp_path / "init.lua"
    init.write_text(excerpt("Using it from an editor", "lua").text, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.unleak]\n", encoding="utf-8")
    (tmp_path / "leaky.py").write_text(
        "def first(p):\n    f = open(p)\n    return f.readline()\n", encoding="utf-8"
    )
    result = tmp_path / "result.json"
    driver = tmp_path / "driver.lua"
    driver.write_text(
        textwrap.dedent(
            f"""\
            local ok = vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 50)
            local codes = {{}}
            for _, d in ipairs(vim.diagnostic.get(0)) do
              table.insert(codes, {{ code = d.code, lnum = d.lnum, source = d.source }})
            end
            local f = assert(io.open({json.dumps(str(result))}, 'w'))
            f:write(vim.fn.json_encode({{ ok = ok, diagnostics = codes }}))
            f:close()
            vim.cmd('qa!')
            """
        ),
        encoding="utf-8",
    )
    env = {**_env(), "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")}
    subprocess.run(
        [nvim, "--headless", "--clean", "-u", str(init), "leaky.py", "-c", f"luafile {driver}"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    data = json.loads(result.read_text(encoding="utf-8"))
    assert data["ok"], data
    assert [(d["code"], d["lnum"]) for d in data["diagnostics"]] == [("UL101", 1)], data


E2E_PLUGIN = ["-p", "tests.e2e.conftest", "test_probe.py"]


def test_e2e_artefacts_path_is_printed(tmp_path: Path) -> None:
    """What `pytest -q` (as scripts/test.sh runs it) shows of a passing e2e test that uses
    the artefacts fixture: the README says the path is printed."""
    assert "the path is printed" in section_text("Tests")
    (tmp_path / "test_probe.py").write_text(
        "def test_probe(artifacts):\n    assert artifacts.is_dir()\n", encoding="utf-8"
    )
    folder = tmp_path / "artefacts"
    env = {**_env(), "PYTHONPATH": os.pathsep.join([str(ROOT), str(SERVER)])}
    env["UNLEAK_E2E_ARTIFACTS"] = str(folder)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *E2E_PLUGIN],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert str(folder / "probe") in proc.stdout + proc.stderr


# --- what the prose quotes of the command line's output --------------------------------------


def _quoted(title: str) -> list[str]:
    """The `code` quotes of a section's prose, each on one line (a quote may wrap)."""
    prose = re.sub(r"^```.*?^```$", "", section_text(title), flags=re.M | re.S)
    return [" ".join(q.split()) for q in re.findall(r"`([^`]+)`", prose)]


def _unleak(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "unleak", *args],
        cwd=cwd,
        env=_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_the_summaries_of_paths_not_checked_are_what_it_prints(tmp_path: Path) -> None:
    """'1 file could not be checked.', '1 path was not found.', and '1 directory could not
    be read.', each instead of 'All checks passed!' (run for real; no directory is unreadable
    for root, so that one is rendered from what discovery reports)."""
    from unleak.cli.formats import Report
    from unleak.cli.results import unreadable_directory

    quoted = _quoted("The command line")
    summaries = ["1 file could not be checked.", "1 path was not found."]
    summaries.append("1 directory could not be read.")
    assert set(summaries) | {"All checks passed!"} <= set(quoted)
    (tmp_path / "pyproject.toml").write_text("[tool.unleak]\n", encoding="utf-8")
    (tmp_path / "nul.py").write_bytes(b"x = 1\x00\n")
    for args, summary in [(["nul.py"], summaries[0]), (["nope.py"], summaries[1])]:
        proc = _unleak(["check", "--no-cache", *args], tmp_path)
        assert (proc.returncode, proc.stdout) == (2, summary + "\n"), proc.stderr
    locked = unreadable_directory("locked", "cannot read directory: Permission denied")
    assert RENDERERS["text"](Report([locked])) == summaries[2] + "\n"


def test_the_progress_line_is_what_it_shows(tmp_path: Path) -> None:
    """The README's `unleak: 120/1789 files checked` is the line Progress writes (the CLI
    shows it on a real terminal in tests/cli/test_progress.py; `unleak: interrupted` is held
    to what the CLI prints in tests/cli/test_interrupt.py)."""
    import io

    from unleak.cli.progress import Progress

    quoted = [q for q in _quoted("The command line") if q.startswith("unleak: ")]
    assert quoted == ["unleak: interrupted", "unleak: 120/1789 files checked"]
    shown = io.StringIO()
    bar = Progress(shown, delay=0.0)
    bar.begin(1789, done=120)
    assert shown.getvalue() == "\r\x1b[K" + quoted[1]


FIXED = """\
import subprocess


def first(path):
    f = open(path)
    return f.readline()


def second(path):
    f = open(path)
    return f.read()


def third(path):
    f = open(path)
    return f.readlines()


def start(cmd):
    proc = subprocess.Popen(cmd)
    return proc.pid


def start_again(cmd):
    proc = subprocess.Popen(cmd)
    return proc.pid
"""


def test_the_fix_summary_is_what_it_prints(tmp_path: Path) -> None:
    """`Fixed 3 problems; 2 remaining.`: three safe fixes applied, two processes left (their
    fix, `with Popen(...)`, waits for the child: unsafe)."""
    section = "What a fix guarantees, and when none is offered"
    quoted = [q for q in _quoted(section) if q.startswith("Fixed ")]
    assert quoted == ["Fixed 3 problems; 2 remaining."]
    (tmp_path / "pyproject.toml").write_text("[tool.unleak]\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(FIXED, encoding="utf-8")
    proc = _unleak(["check", "--no-cache", "--fix", "app.py"], tmp_path)
    assert proc.returncode == 1, proc.stderr  # the remaining findings
    assert quoted[0] in proc.stdout.splitlines(), proc.stdout
    assert proc.stdout.count(": UL101 ") == 2
