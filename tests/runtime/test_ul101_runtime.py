"""UL101 fixtures, run for real: what the finding predicts does happen; the OK twin is clean."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
PRINT_VERSION = [sys.executable, "-c", "print('1.2.3')"]


def _unclosed_file(messages: list[str], path: object) -> list[str]:
    return [m for m in messages if m.startswith("unclosed file") and str(path) in m]


# --- files -----------------------------------------------------------------------------------


def test_early_return_leaves_file_open(load_fixture, resource_warnings, tmp_path):
    files = load_fixture("UL101", "files")
    cfg = tmp_path / "app.conf"
    cfg.write_text("#!defaults\nDEBUG=1\n", encoding="utf-8")

    with resource_warnings() as found:
        assert files.read_config(cfg) == {}
    assert _unclosed_file(found, cfg), found

    with resource_warnings() as found:
        assert files.read_config_ok(cfg) == {}
    assert found == []


@pytest.mark.parametrize(
    ("leaky", "ok", "content", "args", "expected"),
    [
        ("load_json", "load_json_ok", '{"port": 8080}', (), {"port": 8080}),
        ("grep", "grep_ok", "alpha\nneedle here\n", ("needle",), [(2, "needle here")]),
        ("count_csv_rows", "count_csv_rows_ok", "a,b\n1,2\n3,4\n", (), 3),
        ("tail", None, "1\n2\n3\n", (2,), ["2", "3"]),
    ],
)
def test_inline_use_drops_the_only_reference(
    load_fixture, resource_warnings, tmp_path, leaky, ok, content, args, expected
):
    files = load_fixture("UL101", "files")
    path = tmp_path / "input.txt"
    path.write_text(content, encoding="utf-8")

    with resource_warnings() as found:
        assert getattr(files, leaky)(path, *args) == expected
    assert _unclosed_file(found, path), found

    if ok is not None:
        with resource_warnings() as found:
            assert getattr(files, ok)(path, *args) == expected
        assert found == []


def test_factory_method_of_a_plain_class_hands_out_an_open_file(
    load_fixture, resource_warnings, tmp_path
):
    """`Resources().open(name)` returns `self.opener(...)`, `open` by default: the caller's
    file to close, as `read_resource` never does."""
    methods = load_fixture("UL101", "factory_methods")
    path = tmp_path / "asset.txt"
    path.write_text("payload", encoding="utf-8")
    name = str(path)

    with resource_warnings() as found:
        assert methods.read_resource(name) == "payload"
    assert _unclosed_file(found, path), found

    with resource_warnings() as found:
        assert methods.read_resource_closed(name) == "payload"
        with methods.hand_out(name) as f:
            assert f.read() == "payload"
    assert found == []


def test_borrowers_do_not_take_ownership(load_fixture, resource_warnings, tmp_path):
    """pickle.dump and a local helper that only reads its parameter leave the file to the caller."""
    ownership = load_fixture("UL101", "ownership")
    state, text = tmp_path / "state.pickle", tmp_path / "lines.txt"
    text.write_text("a\nb\nc\n", encoding="utf-8")

    with resource_warnings() as found:
        ownership.dump_state(state, {"k": 1})
        assert ownership.line_count(text) == 3
    assert _unclosed_file(found, state), found
    assert _unclosed_file(found, text), found


# --- sockets ---------------------------------------------------------------------------------


def test_socket_never_closed(load_fixture, resource_warnings, banner_server):
    network = load_fixture("UL101", "network")
    host, port = banner_server

    with resource_warnings() as found:
        assert network.fetch_banner(host, port) == "HELLO unleak"
        assert network.is_port_open(host, port) is True
    assert len([m for m in found if m.startswith("unclosed <socket.socket")]) == 2, found

    with resource_warnings() as found:
        assert network.fetch_banner_ok(host, port) == "HELLO unleak"
        assert network.is_port_open_ok(host, port) is True
    assert found == []


def test_socketpair_end_never_closed(load_fixture, resource_warnings):
    network = load_fixture("UL101", "network")
    with resource_warnings() as found:
        assert network.ping_pair() == b"ping"
    assert len([m for m in found if m.startswith("unclosed <socket.socket")]) == 1, found

    with resource_warnings() as found:
        assert network.ping_pair_ok() == b"ping"
    assert found == []


def test_asyncio_stream_writer_never_closed(load_fixture, resource_warnings, banner_server):
    async_code = load_fixture("UL101", "async_code")
    host, port = banner_server

    with resource_warnings() as found:
        assert asyncio.run(async_code.fetch_status(host, port)) == "HELLO unleak"
    assert any("unclosed" in m and "StreamWriter" in m for m in found), found

    with resource_warnings() as found:
        assert asyncio.run(async_code.fetch_status_ok(host, port)) == "HELLO unleak"
    assert found == []


# --- processes -------------------------------------------------------------------------------


def test_popen_without_wait_leaves_a_zombie(load_fixture, record_calls, reap, proc_state):
    processes = load_fixture("UL101", "processes")
    created = record_calls(processes, "P")  # `from subprocess import Popen as P`

    assert processes.tool_version(PRINT_VERSION) == "1.2.3"
    (proc,) = created
    reap(proc)
    assert proc.returncode is None  # nobody waited for it
    assert proc_state.wait_for(proc.pid, "Z") == "Z"  # exited, not reaped: a zombie

    assert processes.tool_version_ok(PRINT_VERSION) == "1.2.3"
    assert processes.tool_version_communicate_ok(PRINT_VERSION) == "1.2.3"
    for proc in created[1:]:
        assert proc.returncode == 0
        assert proc_state.state(proc.pid) is None  # reaped


def test_popen_in_try_except_never_waited(load_fixture, record_calls, reap, proc_state):
    processes = load_fixture("UL101", "processes")
    created = record_calls(subprocess, "Popen")

    assert processes.tool_available(sys.executable) is True
    (proc,) = created
    reap(proc)
    assert proc.returncode is None
    assert proc_state.wait_for(proc.pid, "Z") == "Z"

    assert processes.tool_available_ok(sys.executable) is True  # subprocess.run reaps
    assert created[1].returncode == 0


def test_factory_result_is_an_acquisition(load_fixture, record_calls, reap, proc_state, tmp_path):
    processes = load_fixture("UL101", "processes")
    created = record_calls(subprocess, "Popen")
    script = tmp_path / "worker.py"
    script.write_text("import sys\nsys.stdin.buffer.read()\n", encoding="utf-8")

    pid = processes.run_worker_job(str(script), b"job-1\n")
    (proc,) = created
    reap(proc)
    assert proc.pid == pid and proc.returncode is None
    assert proc_state.wait_for(pid, "Z") == "Z"

    assert processes.run_worker_job_ok(str(script), b"job-2\n") == 0
    assert proc_state.state(created[1].pid) is None


def test_wait_leaves_the_pipes_of_a_process_open(load_fixture, resource_warnings):
    piped = load_fixture("UL101", "piped_processes")
    for leaky in (piped.exit_status, piped.polled):
        with resource_warnings() as found:
            assert leaky(PRINT_VERSION) == 0  # waited for: only its pipes leak
        assert any(m.startswith("unclosed file <_io.Buffered") for m in found), found

    with resource_warnings() as found:
        assert piped.exit_status_ok(PRINT_VERSION) == 0
        assert piped.output_ok(PRINT_VERSION).strip() == b"1.2.3"
        assert piped.output_closed_by_hand_ok(PRINT_VERSION).strip() == b"1.2.3"
        assert piped.no_pipes_ok(PRINT_VERSION) == 0
        piped.pager([sys.executable, "-c", "import sys; sys.stdin.read()"], "page\n")
    assert found == []


# --- raw descriptors and temporary files -----------------------------------------------------


def test_descriptors_never_closed(load_fixture, fds, tmp_path):
    os_level = load_fixture("UL101", "os_level")
    pidfile = tmp_path / "app.pid"

    assert os_level.write_pidfile(str(pidfile)) == str(pidfile)
    scratch = os_level.make_scratch_file()
    other = os_level.scratch_path()  # tempfile.mkstemp()[1]
    assert os_level.pipe_roundtrip(b"ping") == b"ping"
    try:
        assert len(fds.leaked_to(lambda t: t == str(pidfile))) == 1
        assert len(fds.leaked_to(lambda t: t == scratch)) == 1
        assert len(fds.leaked_to(lambda t: t == other)) == 1
        assert len(fds.leaked_to(lambda t: t.startswith("pipe:"))) == 1
    finally:
        fds.close(list(fds.leaked()))
        os.unlink(scratch)
        os.unlink(other)

    ok_scratch = os_level.make_scratch_file_ok()
    os.unlink(ok_scratch)
    assert os_level.write_pidfile_ok(str(pidfile)) == str(pidfile)
    assert os_level.pipe_roundtrip_ok(b"ping") == b"ping"
    assert fds.leaked() == {}


def test_temporary_directory_never_cleaned_up(load_fixture, resource_warnings):
    archives = load_fixture("UL101", "archives_and_temp")
    with resource_warnings() as found:
        workdir = archives.make_workdir()
    assert any(m.startswith("Implicitly cleaning up") and workdir in m for m in found), found
    assert not os.path.exists(workdir)  # only the garbage collector removed it

    with resource_warnings() as found:
        assert archives.build_in_tempdir(os.path.isdir) is True
    assert found == []


def test_named_temporary_file_never_closed(load_fixture, record_calls, fds):
    archives = load_fixture("UL101", "archives_and_temp")
    created = record_calls(tempfile, "NamedTemporaryFile")

    name = archives.write_temp_json({"a": 1})
    (tmp,) = created
    try:
        assert not tmp.closed
        assert fds.leaked_to(lambda t: t == name)
    finally:
        tmp.close()
        os.unlink(name)

    name = archives.write_temp_json_ok({"a": 1})
    try:
        assert created[1].closed
        with open(name, encoding="utf-8") as f:
            assert json.load(f) == {"a": 1}
    finally:
        os.unlink(name)


def test_shelf_not_closed_on_early_return(load_fixture, record_calls, tmp_path):
    import shelve

    archives = load_fixture("UL101", "archives_and_temp")
    db = str(tmp_path / "cache")
    with shelve.open(db) as store:
        store["answer"] = 42
    created = record_calls(shelve, "open")

    assert archives.cached_lookup(db, "answer") == 42
    (shelf,) = created
    try:
        assert shelf["answer"] == 42  # still open: usable after the function returned
    finally:
        shelf.close()

    assert archives.cached_lookup_ok(db, "answer") == 42
    with pytest.raises(ValueError):
        created[1]["answer"]  # closed


# --- databases -------------------------------------------------------------------------------


def test_connection_from_local_factory_never_closed(load_fixture, record_calls, fds, tmp_path):
    databases = load_fixture("UL101", "databases")
    db = tmp_path / "users.db"
    with closing(sqlite3.connect(db)) as setup, setup:
        setup.execute("create table users(name text)")
        setup.execute("insert into users values ('ada')")
    created = record_calls(sqlite3, "connect")

    assert databases.count_users(str(db)) == 1
    assert databases.user_exists(str(db), "nobody") is False
    leaked = list(created)
    try:
        for conn in leaked:
            assert tuple(conn.execute("select 1").fetchone()) == (1,)  # still open
        assert len(fds.leaked_to(lambda t: t == str(db))) == 2
    finally:
        for conn in leaked:
            conn.close()

    assert databases.count_users_ok(str(db)) == 1
    assert databases.user_exists_ok(str(db), "nobody") is False
    for conn in created[len(leaked) :]:
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("select 1")
    assert fds.leaked_to(lambda t: t == str(db)) == []


def test_pytest_never_closes_what_a_fixture_returns(tmp_path):
    """UL101/fixture_returns.py run under pytest itself: exactly the three resources its
    fixtures return leak (ResourceWarning at collection), not the yielded or finalized ones."""
    case = tmp_path / "case_fixture_returns.py"
    case.write_text((FIXTURES / "UL101" / "fixture_returns.py").read_text(encoding="utf-8"))
    run = subprocess.run(
        [sys.executable, "-X", "dev", "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-W", "always::ResourceWarning", "-o", "asyncio_default_fixture_loop_scope=function",
         str(case)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    leaked = sorted(
        "event loop" if what.startswith("event loop") else what.split("'")[1].rsplit("/", 1)[1]
        for what in re.findall(r"ResourceWarning: unclosed (.*)", out)
    )
    assert leaked == ["data.txt", "event loop", "log.txt"], out
