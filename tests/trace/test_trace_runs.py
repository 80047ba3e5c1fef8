"""``unleak trace`` on real leaky programs: exact sites, kinds and counts, output untouched."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pythons import python_or_skip
from unleak.trace.report import CONFIRMED, MISSED, Report

from .helpers import (
    Traced,
    env_with_unleak,
    expected_leaks,
    reported_leaks,
)

PY = sys.executable


def _report(traced: Traced) -> Report:
    assert not isinstance(traced.report, str), (traced.report, traced.err)
    assert "Traceback (most recent call last)" not in traced.err.split("unleak trace:")[-1]
    return traced.report


def _status(report: Report, project: Path, name: str, line: int) -> tuple[str | None, tuple]:
    for leak in report.leaks:
        if leak.file == str(project / name) and leak.line == line:
            return leak.status, leak.rules
    raise AssertionError(f"no leak at {name}:{line}")


@pytest.fixture(scope="module")
def files_run(trace) -> Traced:
    # Its own report file: the check tests read it after other runs wrote report.json.
    return trace(PY, "files_and_fds.py", "data.txt", output="files-report.json")


def test_files_and_descriptors(files_run, project):
    report = _report(files_run)
    assert files_run.code == 0
    assert files_run.out == "files done\n"
    assert reported_leaks(report, project) == expected_leaks(project, "files_and_fds.py")
    # The function leaks on every call, and the descriptor returned by raw_descriptor() is
    # dropped by its caller (line 37, a project frame of its allocation): static analysis
    # saw both. A file kept in a global list it cannot see.
    assert _status(report, project, "files_and_fds.py", 10) == (CONFIRMED, ("UL101",))
    assert _status(report, project, "files_and_fds.py", 19) == (CONFIRMED, ("UL101",))
    assert _status(report, project, "files_and_fds.py", 15)[0] == MISSED
    # The gaps are printed with their allocation traceback.
    assert "Missed by static analysis (1):" in files_run.err
    assert "files_and_fds.py:15 in open_log" in files_run.err
    leak = next(leak for leak in report.leaks if leak.kind == "fd")
    assert [(Path(f.file).name, f.line) for f in leak.project_frames] == [
        ("files_and_fds.py", 19),
        ("files_and_fds.py", 37),
    ]


def test_sockets(trace, project):
    traced = trace(PY, "sockets.py")
    report = _report(traced)
    assert traced.code == 0
    assert reported_leaks(report, project) == expected_leaks(project, "sockets.py")
    assert _status(report, project, "sockets.py", 7) == (CONFIRMED, ("UL101",))


def test_subprocesses_and_their_children_are_traced(trace, project):
    traced = trace(PY, "processes.py")
    report = _report(traced)
    assert traced.code == 0
    assert reported_leaks(report, project) == expected_leaks(project, "processes.py")
    messages = sorted(leak.message for leak in report.leaks)
    assert "is still running" in messages[0] or "is still running" in messages[1]
    assert any("not reaped at exit (exited, not waited for)" in m for m in messages)
    # The three children run Python too: each is a traced process of its own.
    main = next(p for p in report.processes if p.argv[-1:] == ("processes.py",))
    children = [p for p in report.processes if p.ppid == main.pid]
    assert len(report.processes) == 4 and len(children) == 3


def test_threads(trace, project):
    traced = trace(PY, "threads.py")
    report = _report(traced)
    assert reported_leaks(report, project) == expected_leaks(project, "threads.py")
    (leak,) = report.leaks
    assert leak.message == "non-daemon thread 'poller' still running at exit"
    assert leak.status == MISSED  # the static analysis does not model threads


def test_library_factories_lead_back_to_the_project_line(trace, project):
    """A pool made by multiprocessing's context and a stream writer made inside
    asyncio.open_connection: the stack reaches past the library to the project."""
    traced = trace(PY, "pool_and_streams.py")
    report = _report(traced)
    assert traced.out == "pool and streams done\n"
    assert reported_leaks(report, project) == expected_leaks(project, "pool_and_streams.py")
    pool = next(leak for leak in report.leaks if "multiprocessing pool" in leak.message)
    assert Path(pool.traceback[0].file).parts[-2:] == ("multiprocessing", "context.py")
    assert [f.line for f in pool.project_frames][:2] == [10, 32]  # start_pool(), its call


def test_resources_made_deep_in_a_library_of_every_kind(trace, project):
    """Made 20 calls deep in a third-party package: file, descriptor, socket, process and
    thread are each placed at the project line that asked for them."""
    traced = trace(PY, "deep_factories.py", "data.txt")
    report = _report(traced)
    assert traced.out == "deep done\n"
    assert reported_leaks(report, project) == expected_leaks(project, "deep_factories.py")
    assert {leak.kind for leak in report.leaks if leak.file} == {
        "file",
        "fd",
        "socket",
        "subprocess",
        "thread",
    }


def test_standard_library_resources_are_placed_without_tracemalloc(trace, project):
    """A temporary directory and an event loop dropped; a memory map, a selector and a
    pseudo-terminal still open at exit; a forked child never waited for."""
    traced = trace(PY, "library_factories.py", "data.txt")
    report = _report(traced)
    assert traced.out == "factories done\n"
    assert reported_leaks(report, project) == expected_leaks(project, "library_factories.py")
    messages = sorted(leak.message.split(":")[0] for leak in report.leaks)
    assert "memory map still open at exit" in messages
    assert "selector still open at exit" in messages


def test_sqlite3_on_python_313(trace, project):
    traced = trace(python_or_skip("3.13"), "databases.py")
    report = _report(traced)
    assert traced.out == "databases done\n"
    assert reported_leaks(report, project) == expected_leaks(project, "databases.py")
    assert report.processes[0].python.startswith("3.13")
    assert _status(report, project, "databases.py", 7)[0] == CONFIRMED


def test_leak_in_a_child_process(trace, project):
    traced = trace(PY, "parent.py", "data.txt")
    report = _report(traced)
    assert traced.out == "child done\nparent done\n"
    assert reported_leaks(report, project) == expected_leaks(project, "child.py")
    parent, child = sorted(report.processes, key=lambda p: p.argv[-2:] != ("parent.py", "data.txt"))
    assert child.ppid == parent.pid and child.exited and parent.exited


def test_output_and_exit_code_unchanged(trace, project):
    plain = subprocess.run(
        [PY, "exit_code.py"], cwd=project, capture_output=True, env=env_with_unleak(), timeout=60
    )
    traced = trace(PY, "exit_code.py")
    assert plain.returncode == traced.code == 3
    assert traced.out == plain.stdout.decode() == "out: 1\n"
    # stderr holds the program's own output, then the summary (the warning text is Python's).
    assert "err: 2\n" in traced.err
    assert traced.err.index("err: 2") < traced.err.index("unleak trace:")
    report = _report(traced)
    assert report.exit_code == 3
    assert reported_leaks(report, project) == expected_leaks(project, "exit_code.py")


def test_killed_command_still_reports_what_was_seen(trace, project):
    traced = trace(PY, "killed.py")
    assert traced.code == 128 + 9  # SIGKILL, as a shell reports it
    assert traced.out == "about to die\n"
    report = _report(traced)
    assert reported_leaks(report, project) == expected_leaks(project, "killed.py")
    assert not report.processes[0].exited
    assert any("did not reach a normal exit" in note for note in report.notes)


def test_memory_held_at_exit(trace, project):
    traced = trace(PY, "memory.py", options=["--memory"])
    report = _report(traced)
    assert reported_leaks(report, project) == expected_leaks(project, "memory.py")
    (leak,) = report.leaks
    assert leak.size is not None and leak.size >= 20 * 64 * 1024
    assert leak.status is None  # not something the static analysis checks


@pytest.mark.parametrize(
    ("options", "tracing"),
    [
        ([], "False"),
        (["--memory"], "True 1"),
        (["--depth", "3"], "True 3"),
        (["--memory-min", "1000"], "True 1"),
        (["--depth", "0"], "False"),
    ],
)
def test_tracemalloc_only_when_memory_is_asked_for(trace, options, tracing):
    script = (
        "import tracemalloc as t; "
        "print(t.is_tracing(), t.is_tracing() and t.get_traceback_limit() or '')"
    )
    traced = trace(PY, "-c", script, options=options, output="tracing.json")
    assert traced.code == 0, traced.err
    assert traced.out.strip() == tracing


def test_no_memory_sites_by_default(trace, project):
    report = _report(trace(PY, "memory.py"))
    assert report.leaks == ()


def test_memory_with_depth_0_is_a_usage_error(trace):
    traced = trace(PY, "-c", "print('ran')", options=["--memory", "--depth", "0"])
    assert traced.code == 2 and traced.out == ""
    assert traced.err.strip().splitlines()[-1] == (
        "unleak: error: --memory needs tracemalloc: --depth 1 or more"
    )


def test_exception_in_a_finalizer(trace, project):
    traced = trace(PY, "finalizers.py")
    report = _report(traced)
    assert traced.code == 0 and traced.out == "finalizers done\n"
    assert reported_leaks(report, project) == expected_leaks(project, "finalizers.py")
    (leak,) = report.leaks
    assert "RuntimeError: flush failed" in leak.message
    assert leak.status is None  # not a resource the static analysis could have found


@pytest.mark.parametrize(
    "warning_option",
    [[], ["-W", "error::ResourceWarning"], ["-W", "ignore::ResourceWarning"]],
    ids=["default", "error", "ignore"],
)
def test_pytest_suite(trace, project, warning_option):
    """pytest records warnings itself; with -W error the finalizer's warning becomes an
    unraisable exception; with -W ignore no hook hears of it: all three are captured."""
    traced = trace(PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", *warning_option, "suite")
    report = _report(traced)
    assert traced.code == 0, traced.out
    assert "3 passed" in traced.out
    assert reported_leaks(report, project) == expected_leaks(project, "suite/test_leaky.py")
    assert {leak.status for leak in report.leaks} == {CONFIRMED}


def test_existing_sitecustomize_still_runs(project, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import os\nos.environ['CHAINED_SITECUSTOMIZE'] = 'yes'\n", encoding="utf-8"
    )
    script = (
        "import os, sys\n"
        "hidden = any('unleak-trace' in p for p in sys.path)\n"
        "print(os.environ.get('CHAINED_SITECUSTOMIZE'), hidden)\n"
        "open('data.txt')  # leak: file x1\n"
    )
    (project / "chained.py").write_text(script, encoding="utf-8")
    env = env_with_unleak()
    env["PYTHONPATH"] = f"{site}:{env['PYTHONPATH']}"
    proc = subprocess.run(
        [PY, "-m", "unleak", "trace", "-o", "chained.json", "--", PY, "chained.py"],
        cwd=project,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.stdout.decode() == "yes False\n"  # chained, and the bootstrap is off sys.path
    from unleak.trace.report import load_report

    report = load_report(project / "chained.json")
    assert not isinstance(report, str)
    assert reported_leaks(report, project) == expected_leaks(project, "chained.py")


# --- bad input --------------------------------------------------------------------------------


def test_non_python_command_gives_an_empty_report_with_a_note(trace):
    traced = trace("echo", "hello")
    report = _report(traced)
    assert traced.code == 0 and traced.out == "hello\n"
    assert report.leaks == () and report.processes == ()
    assert "no Python process was traced" in report.notes[0]
    assert "no Python process was traced" in traced.err
    # Not "no leaks": nothing was looked at.
    assert "No runtime leaks found." not in traced.err
    assert (
        "Nothing was traced: no Python process ran with the tracer (see the note above).\n"
        in traced.err
    )


def test_command_not_found(trace):
    traced = trace("no-such-command-unleak")
    report = _report(traced)
    assert traced.code == 127
    assert report.exit_code is None
    assert "could not be started" in traced.err
    assert "No runtime leaks found." not in traced.err
    assert "Nothing was traced: the command could not be started.\n" in traced.err


def test_a_site_with_no_project_frame_is_counted_and_named(trace):
    """Code given with -c has no file: the site is outside the project, said in words, and
    the counts add up."""
    traced = trace(PY, "-c", "open('data.txt')")
    report = _report(traced)
    (leak,) = report.leaks
    assert leak.file is None and leak.status is None
    lines = traced.err.splitlines()
    row = next(line for line in lines if line.startswith("  file "))
    assert row.split()[2:] == [
        "<string>:1",
        "(outside",
        "the",
        "project)",
        "not",
        "compared:",
        "no",
        "project",
        "frame",
    ]
    assert "Made outside the project (1):" in lines
    assert "      <string>:1 in <module>" in lines
    assert (
        "1 runtime leak site: 0 confirmed by static analysis, 0 missed, "
        "1 not compared (no project frame: 1)." in lines
    )


def test_counts_add_up_with_memory_and_finalizer_sites(trace):
    traced = trace(PY, "finalizers.py", options=["--memory"])
    lines = traced.err.splitlines()
    assert (
        "1 runtime leak site: 0 confirmed by static analysis, 0 missed, "
        "1 not compared (exception in a finalizer: 1)." in lines
    )


def test_missing_command_is_a_usage_error(project):
    for args in (["trace"], ["trace", "--"], ["trace", "--output", "x.json"]):
        proc = subprocess.run(
            [PY, "-m", "unleak", *args],
            cwd=project,
            capture_output=True,
            env=env_with_unleak(),
            timeout=60,
        )
        assert proc.returncode == 2, args
        assert "no command to trace" in proc.stderr.decode()
        assert "Traceback" not in proc.stderr.decode()


# --- unleak check --trace ---------------------------------------------------------------------


def _check(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "-m", "unleak", "check", "--no-cache", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env_with_unleak(),
        timeout=60,
    )


def test_check_marks_confirmed_findings_in_every_format(files_run, project):
    _report(files_run)
    text = _check(project, "--trace", "files-report.json", "files_and_fds.py")
    assert text.returncode == 1
    assert text.stdout.splitlines()[:2] == [
        "files_and_fds.py:10:9: UL101 [*] The file `f` opened by `open(path)` is never closed;"
        " use `with` [confirmed at run time \u00d73]",
        "files_and_fds.py:37:5: UL101 The file descriptor opened by `raw_descriptor(target)` is"
        " never closed: it is not kept in a variable; call `os.close()` on it when done"
        " [confirmed at run time \u00d71]",
    ]

    args = ("--trace", "files-report.json", "files_and_fds.py", "--format")
    items = json.loads(_check(project, *args, "json").stdout)
    assert [(i["line"], i["runtime_count"]) for i in items] == [(10, 3), (37, 1)]

    sarif = json.loads(_check(project, *args, "sarif").stdout)
    assert [
        (
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["properties"]["confirmedAtRuntime"],
            r["properties"]["runtimeCount"],
        )
        for r in sarif["runs"][0]["results"]
    ] == [(10, True, 3), (37, True, 1)]

    github = _check(project, *args, "github").stdout.splitlines()
    assert github[0].startswith("::warning file=files_and_fds.py,line=10,")
    assert github[0].endswith("[confirmed at run time \u00d73]")

    plain = _check(project, "--format", "json", "files_and_fds.py")
    assert all("runtime_count" not in i for i in json.loads(plain.stdout))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a JSON file"),
        ('{"tool": "unleak trace", "version": 0}', "report format version 0 is not supported"),
        ('{"tool": "unleak trace", "version": 1, "leaks": "x"}', "malformed report"),
        ("[]", "not an unleak trace report"),
    ],
)
def test_check_ignores_a_bad_report_with_a_message(project, content, message):
    (project / "bad.json").write_text(content, encoding="utf-8")
    result = _check(project, "--trace", "bad.json", "files_and_fds.py")
    assert result.returncode == 1  # the findings, as without --trace
    assert "files_and_fds.py:10:" in result.stdout
    assert "confirmed at run time" not in result.stdout
    assert f"unleak: warning: ignoring the trace report bad.json: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_is_written_to_the_project_by_default(project):
    (project / "sub").mkdir(exist_ok=True)
    proc = subprocess.run(
        [PY, "-m", "unleak", "trace", "-q", "--", PY, "-c", "pass"],
        cwd=project / "sub",
        capture_output=True,
        text=True,
        env=env_with_unleak(),
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stderr == ""
    data = json.loads((project / ".unleak" / "trace.json").read_text())
    assert data["version"] == 1 and data["root"] == str(project)
    assert (project / ".unleak" / ".gitignore").read_text() == "*\n"


def test_unwritable_output_is_refused_before_running(project, tmp_path):
    marker = tmp_path / "ran"
    proc = subprocess.run(
        [
            PY,
            "-m",
            "unleak",
            "trace",
            "-o",
            str(tmp_path),
            "--",
            PY,
            "-c",
            f"open({str(marker)!r}, 'w').close()",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        env=env_with_unleak(),
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr == f"unleak: error: cannot write the report {tmp_path}\n"
    assert not marker.exists()


def test_progress_lines_on_a_terminal_only(project):
    import pty

    master, slave = pty.openpty()
    command = [
        PY,
        "-m",
        "unleak",
        "trace",
        "-o",
        "progress.json",
        "--",
        PY,
        "-c",
        "import time; time.sleep(1.5)",
    ]
    try:
        try:
            proc = subprocess.Popen(command, cwd=project, stderr=slave, env=env_with_unleak())
        finally:
            os.close(slave)  # the child has its copy
        proc.wait(timeout=60)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    on_terminal = b"".join(chunks).decode()
    assert re.search(r"unleak trace: process \d+ started", on_terminal), on_terminal
    piped = subprocess.run(
        command, cwd=project, capture_output=True, text=True, env=env_with_unleak(), timeout=60
    )
    assert "started" not in piped.stderr  # not a terminal: only the summary
    # Unless asked for (an editor reading the progress through a pipe).
    asked = subprocess.run(
        [*command[:4], "--progress", *command[4:]],
        cwd=project,
        capture_output=True,
        text=True,
        env=env_with_unleak(),
        timeout=60,
    )
    assert re.search(r"unleak trace: process \d+ started", asked.stderr), asked.stderr


def test_old_python_runs_untraced_and_untouched(trace):
    traced = trace(python_or_skip("3.6"), "-c", "import sys; print(sys.version_info[:2])")
    assert traced.code == 0 and traced.out == "(3, 6)\n"
    assert "sitecustomize" not in traced.err and "Traceback" not in traced.err
    report = _report(traced)
    assert report.processes == () and "older than 3.8" in report.notes[0]


def _warning_lines(err: str) -> list[str]:
    """The warnings' location lines, object addresses blanked."""
    lines = [line for line in err.splitlines() if re.search(r":\d+: \w+Warning: ", line)]
    return [re.sub(r"0x[0-9a-f]+", "0x…", line) for line in lines]


def test_warnings_are_shown_where_python_shows_them_untraced(trace, project):
    """A warning issued in a wrapped factory (open's line buffering in binary mode, also
    through os.fdopen) or a wrapped finalizer (an unclosed SpooledTemporaryFile) named the
    tracer's wrapper line; the program's stderr must be what it is untraced."""
    plain = subprocess.run(
        [PY, "-W", "always", "warning_places.py"], cwd=project, capture_output=True, text=True
    )
    assert plain.returncode == 0, plain.stderr
    traced = trace(PY, "-W", "always", "warning_places.py")
    report = _report(traced)
    assert traced.out == "warnings done\n"
    expected = _warning_lines(plain.stderr)
    assert len(expected) == 3, plain.stderr
    assert _warning_lines(traced.err) == expected
    assert "_unleak" not in traced.err
    assert reported_leaks(report, project) == expected_leaks(project, "warning_places.py")
    (leak,) = report.leaks
    # where it was noticed: the call whose return let the collector run the finalizer
    assert [(Path(f.file).name, f.line) for f in leak.seen_at] == [("warning_places.py", 19)]


def test_tracebacks_are_printed_as_untraced(trace, project):
    """An exception from a hooked factory (open() of a missing file) passed through the
    tracer's wrapper: its traceback, uncaught in a thread or chained, had one more frame, in
    the bootstrap's temporary directory."""
    plain = subprocess.run([PY, "raises.py"], cwd=project, capture_output=True, text=True)
    assert plain.returncode == 1
    assert plain.stderr.count("FileNotFoundError") == 2, plain.stderr
    traced = trace(PY, "raises.py", options=["--quiet"])
    assert traced.code == 1
    assert traced.err == plain.stderr


def test_pytest_failure_reports_leave_the_hooks_out(trace, project):
    """pytest's report of a test failing inside a hooked factory shows the test's frames only."""
    suite = project / "failing"
    suite.mkdir(exist_ok=True)
    (suite / "test_missing.py").write_text(
        'def test_missing():\n    open("/nonexistent/unleak-trace-test")\n', encoding="utf-8"
    )
    traced = trace(PY, "-m", "pytest", "-p", "no:cacheprovider", "failing", options=["--quiet"])
    assert traced.code == 1
    assert 'open("/nonexistent/unleak-trace-test")' in traced.out
    assert "FileNotFoundError" in traced.out
    assert "_unleak" not in traced.out


def test_script_reached_through_a_symbolic_link(trace, project, tmp_path):
    """The script named through a linked directory: its frames are still the project's
    (they were 'library' frames, the leaks placed nowhere), named by the resolved path."""
    link = tmp_path / "linked-project"
    link.symlink_to(project, target_is_directory=True)
    traced = trace(PY, str(link / "files_and_fds.py"), "data.txt", options=["--no-check"])
    report = _report(traced)
    assert traced.out == "files done\n"
    assert reported_leaks(report, project) == expected_leaks(project, "files_and_fds.py")
