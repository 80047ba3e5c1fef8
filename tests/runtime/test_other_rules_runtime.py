"""UL102-UL109 fixtures, run for real: the predicted leak happens, the OK twin is clean."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import subprocess
import sys
import threading
import weakref
from contextlib import closing

import pytest

CAT = [sys.executable, "-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"]


def _unclosed_file(messages: list[str], path: object) -> list[str]:
    return [m for m in messages if m.startswith("unclosed file") and str(path) in m]


def _unclosed_sockets(messages: list[str]) -> list[str]:
    return [m for m in messages if m.startswith("unclosed <socket.socket")]


# --- UL102: released on the normal path only -------------------------------------------------


def test_exception_between_open_and_close(load_fixture, resource_warnings, tmp_path):
    files = load_fixture("UL102", "files")
    out = tmp_path / "state.json"
    unserialisable = {"when": object()}

    with resource_warnings() as found, pytest.raises(TypeError):
        files.save_json(out, unserialisable)
    assert _unclosed_file(found, out), found

    with resource_warnings() as found:
        with pytest.raises(TypeError):
            files.save_json_ok(out, unserialisable)
        files.save_json_ok(out, {"fine": True})  # and the normal path works
    assert found == []


def test_exception_in_borrower(load_fixture, resource_warnings, tmp_path):
    files = load_fixture("UL102", "files")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")

    with resource_warnings() as found, pytest.raises(ValueError):
        files.load_json(bad)
    assert _unclosed_file(found, bad), found

    with resource_warnings() as found, pytest.raises(ValueError):
        files.parse_or_raise(bad)
    assert found == []


def test_init_raising_loses_what_it_stored(load_fixture, resource_warnings, fds, tmp_path):
    init_raises = load_fixture("UL102", "init_raises")
    other = tmp_path / "other.bin"
    other.write_bytes(b"ZIP?rest")

    with resource_warnings() as found, pytest.raises(ValueError):
        init_raises.Header(other, b"MAGC")
    assert _unclosed_file(found, other), found

    with resource_warnings() as found:
        for cls in (init_raises.HeaderOk, init_raises.HeaderCleanup):
            with pytest.raises(ValueError):
                cls(other, b"MAGC")
        init_raises.Lines(other).close()
    assert found == []

    with pytest.raises(OSError):
        init_raises.Channel(False)
    leaked = fds.leaked_to(lambda t: t.startswith("pipe:"))
    assert len(leaked) == 1  # the read end; the write end was closed before the raise
    fds.close(leaked)
    init_raises.Channel(True).close()
    assert fds.leaked_to(lambda t: t.startswith("pipe:")) == []


def test_second_acquisition_fails(load_fixture, resource_warnings, tmp_path):
    files = load_fixture("UL102", "files")
    src = tmp_path / "src.bin"
    src.write_bytes(b"data")
    unwritable = tmp_path / "missing-dir" / "dst.bin"

    with resource_warnings() as found, pytest.raises(FileNotFoundError):
        files.open_pair(src, unwritable)
    assert _unclosed_file(found, src), found

    with resource_warnings() as found, pytest.raises(FileNotFoundError):
        files.open_pair_ok(src, unwritable)
    assert found == []


def test_generator_stopped_at_yield(load_fixture, resource_warnings, tmp_path):
    files = load_fixture("UL102", "files")
    log = tmp_path / "events.jsonl"
    log.write_text('{"n": 1}\n{"n": 2}\n{"n": 3}\n', encoding="utf-8")

    with resource_warnings() as found:
        records = files.read_records(log)
        assert next(records) == {"n": 1}
        records.close()  # what a `break` in the consumer does
        del records
    assert _unclosed_file(found, log), found

    with resource_warnings() as found:
        records = files.read_records_ok(log)
        assert next(records) == {"n": 1}
        records.close()
        del records
    assert found == []


def test_socket_connect_refused(load_fixture, resource_warnings, refused_port):
    services = load_fixture("UL102", "services")

    with resource_warnings() as found, pytest.raises(ConnectionRefusedError):
        services.connect("127.0.0.1", refused_port, timeout=2)
    assert len(_unclosed_sockets(found)) == 1, found

    with resource_warnings() as found, pytest.raises(ConnectionRefusedError):
        services.connect_ok("127.0.0.1", refused_port, timeout=2)
    assert found == []


def test_query_fails_before_close(load_fixture, record_calls, fds, tmp_path):
    services = load_fixture("UL102", "services")
    db = tmp_path / "empty.db"  # no `settings` table: the query raises
    created = record_calls(sqlite3, "connect")

    with pytest.raises(sqlite3.OperationalError):
        services.fetch_settings(str(db))
    (conn,) = created
    try:
        assert conn.execute("select 1").fetchone() == (1,)  # still open
        assert fds.leaked_to(lambda t: t == str(db))
    finally:
        conn.close()

    with pytest.raises(sqlite3.OperationalError):
        services.fetch_settings_ok(str(db))
    with pytest.raises(sqlite3.ProgrammingError):
        created[1].execute("select 1")
    assert fds.leaked_to(lambda t: t == str(db)) == []


def test_child_left_running_when_writing_fails(load_fixture, record_calls, reap, proc_state):
    services = load_fixture("UL102", "services")
    created = record_calls(subprocess, "Popen")

    with pytest.raises(TypeError):
        services.run_filter(CAT, "str, not bytes")
    (proc,) = created
    reap(proc)
    assert proc.poll() is None  # still running, blocked on its stdin; nobody will wait
    assert proc_state.state(proc.pid) not in (None, "Z")

    with pytest.raises(TypeError):
        services.run_filter_with_ok(CAT, "str, not bytes")
    assert created[1].returncode is not None  # `with Popen` closed stdin and waited
    assert services.run_filter_ok(CAT, b"bytes") == b"bytes"


# --- UL103: `with sqlite3.connect()` does not close ------------------------------------------


def test_sqlite_with_statement_keeps_connection_open(load_fixture, record_calls, fds, tmp_path):
    sqlite_with = load_fixture("UL103", "sqlite_with")
    db = tmp_path / "events.db"
    with closing(sqlite3.connect(db)) as setup:
        setup.executescript(sqlite_with.SCHEMA)
    created = record_calls(sqlite3, "connect")

    assert sqlite_with.count_rows(str(db), "events") == 0
    (conn,) = created
    try:
        assert conn.execute("select count(*) from events").fetchone() == (0,)  # still open
        assert fds.leaked_to(lambda t: t == str(db))
    finally:
        conn.close()

    assert sqlite_with.count_rows_ok(str(db), "events") == 0
    with pytest.raises(sqlite3.ProgrammingError):
        created[1].execute("select 1")
    assert fds.leaked_to(lambda t: t == str(db)) == []


# --- UL104: the finally block hides the real error -------------------------------------------


def test_finally_raises_unbound_local(load_fixture, tmp_path):
    unbound = load_fixture("UL104", "unbound")
    missing = tmp_path / "missing.conf"

    with pytest.raises(UnboundLocalError):
        unbound.read_file(missing)
    with pytest.raises(UnboundLocalError):
        unbound.load_cache(missing)  # meant to return None for a missing cache

    with pytest.raises(FileNotFoundError):
        unbound.read_file_ok(missing)
    with pytest.raises(FileNotFoundError):
        unbound.read_file_guarded_ok(missing)
    assert unbound.read_or_default_ok(missing, "default") == "default"


# --- UL105: a lock left held -----------------------------------------------------------------


@pytest.fixture
def locks(load_fixture):
    module = load_fixture("UL105", "locks")
    yield module
    for lock in (module._cache_lock, module._io_lock):
        if lock.locked():
            lock.release()


def test_lock_held_after_exception(locks):
    with pytest.raises(TypeError):
        locks.cache_put("k", 42)
    assert locks._cache_lock.locked()
    locks._cache_lock.release()

    with pytest.raises(TypeError):
        locks.timed_put("k", 42, timeout=0.1)
    assert locks._cache_lock.locked()
    locks._cache_lock.release()

    with pytest.raises(TypeError):
        locks.cache_put_ok("k", 42)
    with pytest.raises(TypeError):
        locks.timed_put_ok("k", 42, timeout=0.1)
    with pytest.raises(TypeError):
        locks.try_put_ok("k", 42)
    assert not locks._cache_lock.locked()


def test_lock_held_after_early_return_and_break(locks, tmp_path):
    assert locks.cache_get("absent") is None
    assert locks._cache_lock.locked()
    locks._cache_lock.release()
    assert locks.cache_get_ok("absent") is None
    assert not locks._cache_lock.locked()

    with open(tmp_path / "out.bin", "wb") as stream:
        locks.write_chunks(stream, [b"a", b"", b"b"])
        assert locks._io_lock.locked()
        locks._io_lock.release()
        locks.write_chunks_ok(stream, [b"a", b"", b"b"])
        assert not locks._io_lock.locked()


def test_rlock_held_by_the_failed_call(locks):
    counter = locks.Counter()
    with pytest.raises(ValueError):
        counter.incr("hits", "not a number")

    def try_lock_elsewhere(result):
        got = counter._lock.acquire(blocking=False)
        result.append(got)
        if got:
            counter._lock.release()

    result: list[bool] = []
    other = threading.Thread(target=try_lock_elsewhere, args=(result,))
    other.start()
    other.join(timeout=5)
    assert result == [False]  # any other thread would now block forever
    counter._lock.release()
    assert counter.snapshot() == {}


def test_asyncio_lock_held_after_exception(locks):
    async def boom():
        raise RuntimeError("upstream failed")

    async def ok():
        return "fine"

    async def scenario():
        limiter = locks.RateLimiter()
        with pytest.raises(RuntimeError):
            await limiter.call(boom)
        held = limiter._lock.locked()
        limiter._lock.release()

        with pytest.raises(RuntimeError):
            await limiter.call_ok(boom)
        with pytest.raises(RuntimeError):
            await limiter.call_explicit_ok(boom)
        assert await limiter.call_ok(ok) == "fine"
        return held, limiter._lock.locked()

    assert asyncio.run(asyncio.wait_for(scenario(), timeout=10)) == (True, False)


# --- UL106: a class that cannot release what it holds ----------------------------------------


def test_class_without_close_leaks_its_socket(load_fixture, resource_warnings):
    classes = load_fixture("UL106", "classes")

    with resource_warnings() as found:
        client = classes.MetricsClient("127.0.0.1", 9)
        client.gauge("queue.depth", 3)
        assert not any(hasattr(client, name) for name in ("close", "__exit__", "__del__"))
        del client
    assert len(_unclosed_sockets(found)) == 1, found

    with resource_warnings() as found:
        client = classes.MetricsClientOk("127.0.0.1", 9)
        client.gauge("queue.depth", 3)
        client.close()
        del client
    assert found == []


def test_class_file_handles(load_fixture, resource_warnings, tmp_path):
    classes = load_fixture("UL106", "classes")
    data = tmp_path / "blob.bin"
    data.write_bytes(b"0123456789")

    with resource_warnings() as found:
        reader = classes.FileClient(data)
        assert reader.read(4) == b"0123"
        reader.close()  # the inherited close() does not know about self.f
        del reader
    assert _unclosed_file(found, data), found

    with resource_warnings() as found:
        tee = classes.Tee(tmp_path / "a.log", tmp_path / "b.log")
        tee.write("line\n")
        tee.close()
        log = classes.LogStream(tmp_path / "c.log")
        log.write("line\n")
        log.close()
        del tee, log
    assert found == []


# --- UL107: the name is rebound while the first resource is open ------------------------------


def test_rebinding_in_a_loop_leaks_all_but_the_last(load_fixture, resource_warnings, tmp_path):
    rebinding = load_fixture("UL107", "rebinding")
    paths = []
    for i in range(3):
        path = tmp_path / f"part{i}.txt"
        path.write_text("x" * (i + 1), encoding="utf-8")
        paths.append(path)

    with resource_warnings() as found:
        assert rebinding.total_length(paths) == 6
    assert _unclosed_file(found, paths[0]) and _unclosed_file(found, paths[1]), found
    assert not _unclosed_file(found, paths[2]), found

    with resource_warnings() as found:
        assert rebinding.total_length_ok(paths) == 6
        assert rebinding.concat_two_ok(paths[0], paths[1]) == b"xxx"
    assert found == []


def test_retry_loop_leaks_one_socket_per_attempt(load_fixture, resource_warnings, refused_port):
    rebinding = load_fixture("UL107", "rebinding")

    with resource_warnings() as found, pytest.raises(ConnectionError):
        rebinding.connect_with_retry("127.0.0.1", refused_port, attempts=3)
    assert len(_unclosed_sockets(found)) == 3, found

    with resource_warnings() as found, pytest.raises(ConnectionError):
        rebinding.connect_with_retry_ok("127.0.0.1", refused_port, attempts=3)
    assert found == []


# --- UL109: a method cache keeps instances alive ---------------------------------------------


def test_method_cache_keeps_instances_alive(load_fixture):
    cached = load_fixture("UL109", "cached_methods")

    repo = cached.Repo("/srv/git/app")
    assert repo.blob("abcdef").endswith("/ab/cdef")
    ref = weakref.ref(repo)
    del repo
    gc.collect()
    assert ref() is not None  # the lru_cache on the class still holds it
    cached.Repo.blob.cache_clear()
    gc.collect()
    assert ref() is None

    resolver = cached.Resolver()
    assert resolver.lookup("Example.ORG") == "example.org"
    ref = weakref.ref(resolver)
    del resolver
    gc.collect()
    assert ref() is None  # a per-instance cache dies with its instance
