"""Wording of leak findings: what leaks, where it was acquired, and which path loses it."""

from __future__ import annotations

import ast

from unleak.flow.effects import SiteInfo
from unleak.flow.ownership import Leak, SiteResult

_VERBS = {
    "process": "waited for",
    "tempdir": "cleaned up",
    "executor": "shut down",
    "pool": "closed",
    "lock": "released",
    "fd": "closed",
}


def verb(info: SiteInfo) -> str:
    return _VERBS.get(info.type.name, "closed")


def subject(info: SiteInfo) -> str:
    line = info.site[0]
    what = f"{info.type.noun} from `{info.callee}` on line {line}"
    return f"`{info.var}` ({what})" if info.var else f"the {what}"


def event_line(leak: Leak) -> int:
    if leak.kind in ("dropped", "rebound", "deleted"):
        return leak.line
    for kind, line in reversed(leak.via):
        if kind != "end":
            return line
    return leak.via[-1][1] if leak.via else leak.line


def path_text(leak: Leak) -> str:
    """The leaking path in words."""
    if leak.kind == "dropped":
        return "its only reference is dropped at once"
    exc = next((e for e in leak.via if e[0] in ("exception", "raise", "yield")), None)
    if leak.kind in ("rebound", "deleted"):
        what = (
            "its variable is rebound" if leak.kind == "rebound" else "its last reference is deleted"
        )
        text = f"{what} on line {leak.line} while it is still open"
        if exc is not None:
            return f"if an exception is raised on line {exc[1]}: {text}"
        return text
    last = next(
        (e for e in reversed(leak.via) if e[0] not in ("exception", "raise", "yield")), None
    )
    parts: list[str] = []
    if exc is not None:
        kind, line = exc
        if kind == "yield":
            parts.append(
                "if the generator is closed, or an exception is thrown in, "
                f"at the `yield` on line {line}"
            )
        elif kind == "raise":
            parts.append(f"when the `raise` on line {line} is reached")
        else:
            parts.append(f"if an exception is raised on line {line}")
    if last is not None:
        kind, line = last
        if kind == "return":
            parts.append(f"{'and then ' if parts else 'when '}the function returns on line {line}")
        elif kind.rstrip("!") in ("break", "continue"):
            kind = kind.rstrip("!")
            parts.append(f"{'and then ' if parts else 'on '}the `{kind}` on line {line}")
        elif kind == "end" and not parts:
            parts.append("when the function ends")
    if not parts:
        parts.append("when the function ends")
    return " ".join(parts)


def leak_message(code: str, res: SiteResult, leak: Leak) -> str:
    info = res.info
    v = verb(info)
    if code == "UL105":
        return f"lock `{info.lock_key}` acquired here is not released {path_text(leak)}"
    if code == "UL103":
        note = info.type.with_note or "does not release it"
        return f"`with` on a {info.type.noun} {note}: {subject(info)} is not {v} {path_text(leak)}"
    if code == "UL107":
        again = " (on the next loop iteration)" if leak.line == info.site[0] else ""
        exc = next((e for e in leak.via if e[0] in ("exception", "raise", "yield")), None)
        after = f" after the exception on line {exc[1]} is handled" if exc else ""
        return (
            f"{subject(info)} is rebound on line {leak.line}{again}{after} before it is {v}; "
            f"the earlier {info.type.noun} leaks"
        )
    if code == "UL101":
        if leak.kind == "dropped":
            return (
                f"{info.type.noun} from `{info.callee}` is never {v}: "
                "its only reference is dropped at once"
            )
        if not res.handled_somewhere:
            return f"{subject(info)} is never {v}"
        return f"{subject(info)} is not {v} {path_text(leak)}"
    return f"{subject(info)} is not {v} {path_text(leak)}; use `with` or `try`/`finally`"


def acquired_note(info: SiteInfo) -> str:
    return f"{info.type.noun} acquired here by `{info.callee}`"


def escape_note(res: SiteResult, leak: Leak) -> str:
    return f"still open here: {path_text(leak)}"


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
