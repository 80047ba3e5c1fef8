"""Wording of leak findings, in plain words: what leaks (the file `f` opened by `open(path)`),
which path loses it (if `sock.connect(addr)` on line 42 raises), and what to do.

A message fits one line of an editor's Problems panel as far as it can; the related notes
say what happens at each line they point at, and the hover tells the whole story.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from unleak.catalogue.own_release import preferred_release
from unleak.flow.effects import SiteInfo
from unleak.flow.ownership import Leak, SiteResult
from unleak.names.text import callee_name
from unleak.source.walk import children

# The text of the call on a line (the outermost one), or None: "if `x()` on line 5 raises".
CallAt = Callable[[int], "str | None"]

_EXC_KINDS = ("exception", "raise", "yield", "cancel")
_MAX_CALL = 36

# How a resource is released, past participle and infinitive, by resource type.
_VERBS = {
    "process": ("waited for", "wait for"),
    "piped_process": ("closed", "close"),
    "tempdir": ("cleaned up", "clean up"),
    "executor": ("shut down", "shut down"),
    "pool": ("closed", "close"),
    "lock": ("released", "release"),
}
# How a resource comes to be, by resource type (anything else is "created by").
_OPENED = frozenset(
    {
        "file",
        "fd",
        "archive",
        "shelf",
        "dbm",
        "connection",
        "sqlite",
        "psycopg2",
        "response",
        "mail",
        "ftp",
        "http_connection",
        "stream",
        "mmap",
        "session",
        "async_session",
    }
)


def verb(info: SiteInfo) -> str:
    """How its release is said: "closed", "waited for", "shut down"..."""
    return _verbs(info)[0]


def imperative(info: SiteInfo) -> str:
    """How to release it: "close", "wait for", "shut down"..."""
    return _verbs(info)[1]


def _verbs(info: SiteInfo) -> tuple[str, str]:
    known = _VERBS.get(info.type.name)
    if known is not None:
        return known
    release = info.type.release
    closes = any(r.rstrip("()") == "close" for r in release) or info.type.release_functions
    if release and not closes:
        return ("released", "release")
    return ("closed", "close")


def negated_verb(code: str, res: SiteResult, leak: Leak) -> str:
    """ "never closed" (on no path) or "not closed" (on the path the message names)."""
    never = code == "UL101" and (leak.kind == "dropped" or not res.handled_somewhere)
    return f"{'never' if never else 'not'} {verb(res.info)}"


def call_text(call: ast.Call) -> str:
    """A call as written when it is short (`open(path)`), else its callee (`open(...)`)."""
    try:
        text = " ".join(ast.unparse(call).split())
    except Exception:  # unparse is total on parsed trees; the callee is enough if not
        text = ""
    if text and len(text) <= _MAX_CALL:
        return text
    if isinstance(call.func, ast.Call):  # `codecs.getwriter(enc)(p.stdin)`: the maker's name
        maker = call.func
        while isinstance(maker.func, ast.Call):  # `x(1)(1)...` may nest 2,000 deep
            maker = maker.func
        name = callee_name(maker)
        return (name[:-2] if name.endswith("()") else name) + "(...)(...)"
    name = callee_name(call)
    return name[:-2] + "(...)" if name.endswith("()") else name


def raiser_text(node: ast.expr) -> str | None:
    """What raises on a line, as messages name it: a call (`call_text`), or a short item
    read (`db[key]`); for a long one, the first call in it; else None."""
    if isinstance(node, ast.Call):
        return call_text(node)
    try:
        text = " ".join(ast.unparse(node).split())
    except Exception:  # unparse is total on parsed trees; the line number is enough if not
        text = ""
    if text and len(text) <= _MAX_CALL:
        return text
    level: list[ast.AST] = [node]
    while level:  # breadth first: the outermost call inside it
        call = next((n for n in level if isinstance(n, ast.Call)), None)
        if call is not None:
            return call_text(call)
        level = [c for n in level for c in children(n)]
    return None


def _made(info: SiteInfo) -> str:
    return made_by(info.type.name)


def made_by(type_name: str) -> str:
    """How a resource of the type comes to be: "opened by", "started by", "created by"."""
    name = type_name
    if name in _OPENED:
        return "opened by"
    if name in ("process", "piped_process"):
        return "started by"
    return "created by"


def resource(info: SiteInfo) -> str:
    """What leaks, in the user's words: "the file `f` opened by `open(path)`"."""
    if info.lock_key is not None:
        return f"the lock `{info.lock_key}`"
    noun = info.type.noun
    named = f"{noun} `{info.var}`" if info.var else noun
    return f"the {named} {_made(info)} `{call_text(info.node)}`"


def _still(info: SiteInfo) -> str:
    if info.lock_key is not None:
        return "still held"
    return "still running" if info.type.name in ("process", "executor", "pool") else "still open"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def event_line(leak: Leak) -> int:
    if leak.kind in ("dropped", "rebound", "deleted", "fixture"):
        return leak.line
    for kind, line in reversed(leak.via):
        if kind != "end":
            return line
    return leak.via[-1][1] if leak.via else leak.line


def _exception(leak: Leak) -> tuple[str, int] | None:
    return next((e for e in leak.via if e[0] in _EXC_KINDS), None)


def _exception_text(
    event: tuple[str, int], call_at: CallAt | None, info: SiteInfo | None = None
) -> str:
    kind, line = event
    if kind == "yield":
        return f"if the caller stops the generator at the `yield` on line {line}"
    if kind == "raise":
        return f"when the `raise` on line {line} runs"
    if kind == "cancel":
        # `asyncio.CancelledError` is a BaseException: `except Exception:` lets it through.
        return f"if the task is cancelled at the `await` on line {line}"
    call = call_at(line) if call_at is not None else None
    own = info is not None and call is not None and call == call_text(info.node)
    if info is not None and (line < info.site[0] or (line == info.site[0] and own)):
        # The loop comes back: an earlier line, or the acquisition itself, raises next time.
        return f"if line {line} raises when the loop comes back to it"
    if call is not None and own:
        return f"if another such call on line {line} raises"  # not naming the call twice
    if call is not None:
        return f"if `{call}` on line {line} raises"
    return f"if line {line} raises an exception"


def path_text(
    leak: Leak,
    call_at: CallAt | None = None,
    info: SiteInfo | None = None,
    scope: str = "the function",
) -> str:
    """The leaking path in words: "if `sock.connect(addr)` on line 42 raises", "when the
    function returns at line 50". ``scope`` names what ends ("the function", "the module")."""
    if leak.kind == "dropped":
        if info is not None and info.var:  # `_, out, _ = run()`
            return f"at once, as the same assignment binds `{info.var}` again"
        return "at once, as it is not kept in a variable"
    exc = _exception(leak)
    head = _exception_text(exc, call_at, info) if exc is not None else ""
    join = f"{head} and " if head else "when "
    if leak.kind in ("rebound", "deleted"):
        var = info.var if info is not None else None
        name = f"`{var}`" if var else "its variable"
        if leak.kind == "deleted":
            return f"{join}line {leak.line} deletes {name}"
        if head and info is not None and leak.line == info.site[0]:
            return f"{head} and the loop comes back to line {leak.line}, which reassigns {name}"
        return f"{join}line {leak.line} reassigns {name}"
    last = next((e for e in reversed(leak.via) if e[0] not in _EXC_KINDS), None)
    if last is not None:
        kind, line = last
        kind = kind.rstrip("!")
        if kind == "return":
            return f"{join}{scope} returns at line {line}"
        if kind in ("break", "continue"):
            return f"{join}the `{kind}` on line {line} runs"
        if kind == "end" and not head:
            return f"when {scope} ends at line {line}"
    return head or f"when {scope} ends"


def advice(code: str, info: SiteInfo, leak: Leak | None = None) -> str:
    """What to do about it, in a few words (for UL107, ``leak`` tells whether an exception
    loses it: then no code path gets to close it "first")."""
    infinitive = _verbs(info)[1]
    if info.lock_key is not None:
        call = info.node.func
        if isinstance(call, ast.Attribute) and call.attr == "acquire":
            return f"use `with {info.lock_key}:`"
        return "release it in a `finally` block"
    usable = info.type.supports_with and info.type.with_releases
    if info.type.name == "piped_process" and code == "UL101":
        return "use `with` or communicate() (wait() leaves its pipes open)"
    if code == "UL107":
        if leak is not None and _exception(leak) is not None:
            return f"{infinitive} it where the exception is handled"
        return f"{infinitive} it first"
    if code == "UL103":
        return "use `contextlib.closing()`"
    if code == "UL102":
        if info.var is not None and info.var.startswith("self."):
            return f"{infinitive} it before raising"  # stored by `__init__`, which raises
        if usable:
            return "use `with` or `try`/`finally`"
        release = {m.rstrip("()") for m in info.type.release}
        if release and info.type.release_on_return >= release:
            # Its only releases do their work first: one in a `finally` still leaks.
            method = preferred_release(info.type)
            return f"`{method}()` releases it only when it returns; release it in a `finally` there"
        return f"call {_release_call(info)} in a `finally` block"
    return "use `with`" if usable else f"call {_release_call(info)} when done"


def why(code: str, info: SiteInfo) -> str:
    """Why the code that looks like a release is not one (UL103's `with`), or ""."""
    if code != "UL103":
        return ""
    return f"`with` {info.type.with_note or f'does not {_verbs(info)[1]} it'}"


def _release_call(info: SiteInfo) -> str:
    functions = sorted(info.type.release_functions)
    if functions:
        return f"`{functions[0]}({info.var})`" if info.var else f"`{functions[0]}()` on it"
    method = preferred_release(info.type) or "close"
    return f"`{info.var}.{method}()`" if info.var else f"`.{method}()` on it"


def leak_message(
    code: str,
    res: SiteResult,
    leak: Leak,
    call_at: CallAt | None = None,
    scope: str = "the function",
) -> str:
    info = res.info
    past = verb(info)
    what = resource(info)
    path = path_text(leak, call_at, info, scope)
    todo = advice(code, info)
    if code == "UL105":
        return f"{_cap(what)} is not released {path}; {todo}"
    if code == "UL103":
        return f"{_cap(what)} is not {past} {path}: {why(code, info)}; {todo}"
    if code == "UL107":
        return _rebound_message(info, leak, call_at)
    if code == "UL101" and leak.kind == "dropped":
        if info.var:  # `_, out, _ = run()`
            again = f"the same assignment binds `{info.var}` again at once"
            return f"{_cap(what)} is never {past}: {again}; {todo}"
        return f"{_cap(what)} is never {past}: it is not kept in a variable; {todo}"
    if code == "UL101" and leak.kind == "fixture":
        return (
            f"{_cap(what)} is never {past}: the pytest fixture returns it on line {leak.line}, "
            f"and pytest does not {imperative(info)} what a fixture returns; yield it instead "
            f"and {imperative(info)} it after the `yield`"
        )
    if code == "UL101" and not res.handled_somewhere:
        return f"{_cap(what)} is never {past}; {todo}"
    return f"{_cap(what)} is not {past} {path}; {todo}"


def _rebound_message(info: SiteInfo, leak: Leak, call_at: CallAt | None) -> str:
    """UL107: the variable gets a new value while the old resource is still open."""
    what = _cap(resource(info))
    name = f"`{info.var}`" if info.var else "its variable"
    again = leak.line == info.site[0]
    exc = _exception(leak)
    if exc is not None:
        when = _exception_text(exc, call_at, info)
        then = (
            f"the loop then comes back to line {leak.line}, which reassigns {name}"
            if again
            else f"line {leak.line} then reassigns {name}"
        )
        return f"{what} is not {verb(info)} {when}: {then}; {advice('UL107', info, leak)}"
    loop = " on the next loop iteration" if again else ""
    todo = advice("UL107", info)
    return f"{what} is {_still(info)} when line {leak.line} reassigns {name}{loop}; {todo}"


def acquired_note(info: SiteInfo) -> str:
    """The related note at the acquisition."""
    if info.lock_key is not None:
        return f"`{info.lock_key}` is acquired here"
    return f"the {info.type.noun} is {_made(info).removesuffix(' by')} here"


def escape_note(
    res: SiteResult,
    leak: Leak,
    call_at: CallAt | None = None,
    scope: str = "the function",
) -> str:
    """The related note at the line where the resource is lost, saying what happens there."""
    info = res.info
    still = _still(info)
    noun = "the lock" if info.lock_key is not None else f"the {info.type.noun}"
    name = f"`{info.var}`" if info.var else "its variable"
    line = event_line(leak)
    exc = _exception(leak)
    if leak.kind == "rebound":
        return f"{name} is reassigned here while {noun} is {still}"
    if leak.kind == "deleted":
        return f"{name} is deleted here while {noun} is {still}"
    if leak.kind == "fixture":
        return f"the fixture returns {noun} here, {still}; pytest never {verb(info)} it"
    last = next((e for e in reversed(leak.via) if e[0] not in _EXC_KINDS), None)
    if last is not None and last[1] == line:
        kind = last[0].rstrip("!")
        if kind == "return":
            return f"{scope} returns here with {noun} {still}"
        if kind in ("break", "continue"):
            return f"the `{kind}` here leaves {noun} {still}"
        if kind == "end":
            return f"{scope} ends here with {noun} {still}"
    if exc is not None and exc[1] == line:
        return _exception_note(exc, noun, still, call_at)
    return f"{noun} is {still} here"


def _exception_note(event: tuple[str, int], noun: str, still: str, call_at: CallAt | None) -> str:
    kind, line = event
    if kind == "yield":
        return f"if the generator stops at this `yield`, {noun} is {still}"
    if kind == "raise":
        return f"this `raise` leaves {noun} {still}"
    if kind == "cancel":
        return f"if the task is cancelled at this `await`, {noun} is {still}"
    call = call_at(line) if call_at is not None else None
    raiser = f"`{call}`" if call is not None else "this line"
    return f"if {raiser} raises, {noun} is {still}"


def path_notes(
    res: SiteResult,
    leak: Leak,
    call_at: CallAt | None = None,
    scope: str = "the function",
) -> list[tuple[int, str]]:
    """Related notes along the leaking path, by line: where the exception comes from (when
    the resource is lost later), and where the resource is lost."""
    info = res.info
    out: list[tuple[int, str]] = []
    exc = _exception(leak)
    line = event_line(leak)
    if exc is not None and exc[1] != line:
        noun = "the lock" if info.lock_key is not None else f"the {info.type.noun}"
        out.append((exc[1], _exception_note(exc, noun, _still(info), call_at)))
    if line:
        out.append((line, escape_note(res, leak, call_at, scope)))
    return out


def too_deep_definition(node: ast.AST) -> str:
    """A definition the leak analysis skipped: one of its expressions nests too deeply."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        what = f"`{node.name}`"
    elif isinstance(node, ast.ClassDef):
        what = f"the body of class `{node.name}`"
    else:
        what = "the module's top-level code"
    return (
        f"{what} is not checked for leaks: an expression in it is nested too deeply for "
        "unleak to follow; the rest of the file is checked"
    )


def too_deep_rules(codes: list[str]) -> str:
    """Rules that gave up on a whole file because of a deeply nested expression."""
    return (
        f"{', '.join(codes)} did not check this file: an expression in it is nested too deeply "
        "for unleak to follow; the other rules did"
    )


def newer_python_note(
    first: str, needed: tuple[int, int], count: int, floor: tuple[int, int] | None
) -> str:
    """Once per file: syntax newer than the Python running unleak (``first`` says what and
    which Python runs), what was left unchecked, and how to check it."""
    version = f"{needed[0]}.{needed[1]}"
    skipped = (
        "the statement or definition using it is"
        if count == 1
        else f"the {count} statements or definitions using newer syntax are"
    )
    target = ""
    if floor is not None:
        target = f" (the project requires Python {floor[0]}.{floor[1]} or newer)"
    return (
        f"{first}, so {skipped} not checked for leaks; the rest of the file is. To check "
        f"everything{target}, run unleak on Python {version} or newer: install unleak with "
        "that Python, or point `unleak.interpreter` (VS Code) at it"
    )


def project_lacks_message(first: str, floor: tuple[int, int]) -> str:
    """Syntax newer than the oldest Python the project supports: a real error for it."""
    what = first.split(" (unleak runs on", 1)[0]
    return (
        f"{what}, but the project supports Python {floor[0]}.{floor[1]} "
        "(requires-python in pyproject.toml)"
    )
