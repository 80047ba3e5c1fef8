"""Light type inference: which resource type or known class a call returns, and what is
known about a scope's names before any flow analysis."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from unleak.catalogue import (
    ACCEPTS_FILEOBJ,
    CLASS_CONSTRUCTORS,
    EVENT_LOOP,
    LOCKS,
    PATH_RETURNING_METHODS,
    PIPED_POPEN,
    POPEN_PIPES,
    Catalogue,
)
from unleak.names.resolver import NameResolver
from unleak.summaries.chosen_classes import class_attr_ref
from unleak.summaries.released_if import released_by_call

if TYPE_CHECKING:
    from unleak.summaries.functions import FunctionSummary, ModuleSummaries


@dataclass
class TypeScope:
    """The names a definition can resolve, and the types known for its locals and
    attributes."""

    resolver: NameResolver
    catalogue: Catalogue
    summaries: ModuleSummaries
    class_name: str | None = None
    module_scope: bool = False
    var_types: dict[str, str] = field(default_factory=dict)  # local name -> type/class name
    attr_types: dict[str, str] = field(default_factory=dict)  # "self.x" -> type/class name
    # local name -> the plain class it holds an instance of (this module's class by its
    # name, another module's by its qualified name), when its methods may acquire
    instances: dict[str, str] = field(default_factory=dict)


IN_MEMORY = frozenset({"io.BytesIO", "io.StringIO"})


def in_memory_buffer(expr: ast.expr, scope: TypeScope) -> bool:
    """`io.BytesIO(...)`, or an instance of a class of this module derived from one (`class
    NamedBytesIO(BytesIO)`): memory, nothing to release."""
    if not isinstance(expr, ast.Call):
        return False
    func = expr.func
    if scope.resolver.qualify(func) in IN_MEMORY:
        return True
    if not isinstance(func, ast.Name) or func.id in scope.var_types:
        return False
    node = scope.summaries.class_defs.get(func.id)
    return node is not None and any(scope.resolver.qualify(b) in IN_MEMORY for b in node.bases)


def call_type(call: ast.Call, scope: TypeScope) -> str | None:
    """The class or resource type a call returns, when the catalogue knows it."""
    qual = scope.resolver.qualify(call.func) or self_callable(call.func, scope)
    if qual is not None:
        if qual in CLASS_CONSTRUCTORS:
            return CLASS_CONSTRUCTORS[qual]
        if qual in LOCKS.constructors:
            return "lock"
        factory = scope.catalogue.factories.get(qual)
        if (
            factory is not None
            and factory.wrapper
            and call.args
            and in_memory_buffer(call.args[0], scope)
        ):
            return None  # `TextIOWrapper(BytesIO())`: a wrapper over memory
        if factory is not None and qual in ACCEPTS_FILEOBJ and _over_fileobj(call, scope):
            return None  # `GzipFile(fileobj=BytesIO())`: close() leaves the file object open
        if factory is not None and not factory.elements:
            if qual == "subprocess.Popen" and piped_popen(call, scope.resolver):
                return PIPED_POPEN.type
            return factory.type
        if qual == "typing.cast" and len(call.args) == 2:
            # `cast(T, x)` is `x`; what x is says more than T.
            inner_type = expr_type(call.args[1], scope)
            return inner_type or annotation_type(call.args[0], scope)
        external = scope.summaries.external.get(qual)
        if external is not None and external.returns and not external.return_elements:
            return None if chooses_plain(call, external, scope) else external.returns
    if isinstance(call.func, ast.Attribute):
        inner = call.func.value
        attr = call.func.attr
        if attr in PATH_RETURNING_METHODS and expr_type(inner, scope) == "pathlib.Path":
            return "pathlib.Path"
        if attr in ("mktemp", "getbasetemp") and expr_type(inner, scope) == TEMP_PATH_FACTORY:
            return "pathlib.Path"
    name = call.func.id if isinstance(call.func, ast.Name) else local_def(qual, scope)
    if name is not None:
        summary: FunctionSummary | None = scope.summaries.functions.get(name)
        if summary is not None and summary.returns and not summary.return_elements:
            if summary.released_if is not None and released_by_call(call, summary.released_if):
                return None  # `probe_tcp(msg)`: its default `close=True` closes it first
            return summary.returns
    return None


def _over_fileobj(call: ast.Call, scope: TypeScope) -> bool:
    """A factory that also takes a file object given one (`fileobj=`, or an in-memory buffer
    first): it opens nothing, and its close() does not close what it was given."""
    if any(
        k.arg == "fileobj" and not (isinstance(k.value, ast.Constant) and k.value.value is None)
        for k in call.keywords
    ):
        return True
    return bool(call.args) and in_memory_buffer(call.args[0], scope)


def chooses_plain(call: ast.Call, summary: FunctionSummary, scope: TypeScope) -> bool:
    """Whether ``call`` of a class whose resource its caller may choose (`TinyDB(path,
    storage=MemoryStorage)`) passes a class not known here as a resource class, or may pass
    one (`**options`): the instance then holds nothing to release, as far as is known."""
    if summary.chosen_by is None:
        return False
    keyword, position = summary.chosen_by
    chosen: ast.expr | None = next((k.value for k in call.keywords if k.arg == keyword), None)
    if chosen is None and 0 <= position < len(call.args):
        chosen = call.args[position]
        if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return True
    if chosen is None:
        # Not passed: the default class, unless `*args` or `**kwargs` may pass it.
        starred = any(isinstance(a, ast.Starred) for a in call.args) and position >= 0
        return starred or any(k.arg is None for k in call.keywords)
    if isinstance(chosen, ast.Name) and f"class:{chosen.id}" in scope.catalogue.types:
        return False  # a resource class of this module
    qual = scope.resolver.qualify(chosen)
    known = scope.summaries.external.get(qual) if qual is not None else None
    return not (
        known is not None
        and known.returns is not None
        and known.returns.startswith("class:")
        and known.returns in scope.catalogue.types
        and not known.return_elements
    )


def local_def(qual: str | None, scope: TypeScope) -> str | None:
    """The name of this module's function or class that ``qual`` names (what `self_callable`
    gives for `self.stream_factory` bound to `default_stream_factory`), if it is one."""
    if qual is None:
        return None
    module = scope.resolver.module_name
    name = qual[len(module) + 1 :] if module and qual.startswith(f"{module}.") else qual
    summaries = scope.summaries
    return name if name in summaries.defs or name in summaries.class_defs else None


def self_callable(func: ast.expr, scope: TypeScope) -> str | None:
    """`self.opener` in a method of a class whose `__init__` binds it to a known callable, or
    `self.Cls` (`self.__class__.Cls`, `type(self).Cls`) for a class attribute naming a
    class (`RunningCommandCls = RunningCommand`), as it is unless a subclass replaces it:
    that callable's qualified name."""
    if scope.class_name is None or not isinstance(func, ast.Attribute):
        return None
    if isinstance(func.value, ast.Name) and func.value.id == "self":
        found: str | None = scope.summaries.callables.get(f"{scope.class_name}.{func.attr}")
        if found is not None:
            return found
    attr = class_attr_ref(func)
    value = (
        scope.summaries.class_attributes.get(f"{scope.class_name}.{attr}")
        if attr is not None
        else None
    )
    if value is None:
        return None
    if isinstance(value, ast.Name) and value.id in scope.summaries.class_defs:
        return scope.resolver.qualify(value)  # a class of this module
    qual = scope.resolver.qualify(value)
    known = scope.summaries.external.get(qual) if qual is not None else None
    if known is not None and known.returns is not None and known.returns.startswith("class:"):
        return qual  # another module's resource class
    return None


def instance_class(call: ast.Call, scope: TypeScope) -> str | None:
    """`Cls(...)` of a plain class some of whose methods return fresh resources: the class
    (its name here, or another module's class by its qualified name)."""
    func = call.func
    summaries = scope.summaries
    if isinstance(func, ast.Name) and func.id in summaries.class_defs:
        if f"class:{func.id}" in scope.catalogue.types or not summaries.may_hand_out(func.id):
            return None
        return func.id
    if isinstance(func, (ast.Name, ast.Attribute)) and summaries.external_classes:
        qual = scope.resolver.qualify(func)
        if qual is not None and qual in summaries.external_classes:
            return qual
    return None


def piped_popen(call: ast.Call, resolver: NameResolver) -> bool:
    """`Popen(..., stdout=subprocess.PIPE)`: a process with pipes, which wait() leaves open."""
    return any(
        k.arg in POPEN_PIPES and resolver.qualify(k.value) == "subprocess.PIPE"
        for k in call.keywords
    )


TEMP_PATH_FACTORY = "pytest.TempPathFactory"
# Annotations (qualified) that say what a name holds: a resource type of the catalogue, or a
# class whose methods are known (`Path.open()` acquires).
ANNOTATION_TYPES: dict[str, str] = {
    "pathlib.Path": "pathlib.Path",
    "pathlib.PurePath": "pathlib.Path",
    "pathlib.PosixPath": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
    "socket.socket": "socket",
    "threading.Lock": "lock",
    "threading.RLock": "lock",
    "asyncio.Lock": "lock",
    "asyncio.AbstractEventLoop": EVENT_LOOP,
    "asyncio.BaseEventLoop": EVENT_LOOP,
    "asyncio.events.AbstractEventLoop": EVENT_LOOP,
    "asyncio.base_events.BaseEventLoop": EVENT_LOOP,
    "typing.IO": "file",
    "typing.TextIO": "file",
    "typing.BinaryIO": "file",
    "io.TextIOWrapper": "file",
    "io.BufferedReader": "file",
    "io.BufferedWriter": "file",
    "io.BufferedRandom": "file",
    "io.FileIO": "file",
    "sqlite3.Connection": "sqlite",
    "subprocess.Popen": "process",
    "tempfile.TemporaryDirectory": "tempdir",
    "zipfile.ZipFile": "archive",
    "tarfile.TarFile": "archive",
    "mmap.mmap": "mmap",
    "concurrent.futures.Executor": "executor",
    "concurrent.futures.ThreadPoolExecutor": "executor",
    "concurrent.futures.ProcessPoolExecutor": "executor",
    "multiprocessing.pool.Pool": "pool",
    "http.client.HTTPConnection": "http_connection",
    "http.client.HTTPSConnection": "http_connection",
    "http.client.HTTPResponse": "response",
    "contextlib.ExitStack": "exit_stack",
    "pytest.TempPathFactory": TEMP_PATH_FACTORY,
    "_pytest.tmpdir.TempPathFactory": TEMP_PATH_FACTORY,
}
# pytest's built-in fixtures, by parameter name, in test functions and fixtures.
FIXTURE_TYPES: dict[str, str] = {"tmp_path": "pathlib.Path", "tmp_path_factory": TEMP_PATH_FACTORY}
_WRAPPERS = frozenset({"typing.Optional", "typing.Annotated", "typing.Final", "typing.ClassVar"})


def annotation_type(ann: ast.expr | None, scope: TypeScope) -> str | None:
    """What an annotation says a name holds (`IO[str]`, `Optional[socket.socket]`, `"Conn"`,
    `Path | None`), when it is a resource type or a class with known methods."""
    if ann is None:
        return None
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            ann = ast.parse(ann.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
        # `X | None`: the type of the side that is not None.
        sides = [s for s in (ann.left, ann.right) if not _is_none(s)]
        return annotation_type(sides[0], scope) if len(sides) == 1 else None
    if isinstance(ann, ast.Subscript):
        base = scope.resolver.qualify(ann.value)
        if base in _WRAPPERS:
            inner = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
            return annotation_type(inner, scope)
        ann = ann.value
    if not isinstance(ann, (ast.Name, ast.Attribute)):
        return None
    qual = scope.resolver.qualify(ann)
    if qual is None:
        return None
    if qual in ANNOTATION_TYPES:
        return ANNOTATION_TYPES[qual]
    if isinstance(ann, ast.Name) and ann.id in scope.summaries.class_defs:
        local = f"class:{ann.id}"
        return local if local in scope.catalogue.types else None
    external = scope.summaries.external.get(qual)
    if external is not None and external.returns and external.returns.startswith("class:"):
        return external.returns
    return None


def _is_none(e: ast.expr) -> bool:
    return isinstance(e, ast.Constant) and e.value is None


def expr_type(e: ast.expr, scope: TypeScope) -> str | None:
    """The type of a simple expression: a typed name, a path built with `/`, a call."""
    if isinstance(e, ast.Name):
        return scope.var_types.get(e.id)
    if isinstance(e, ast.Attribute):
        known = scope.attr_types.get(f"{_text(e.value)}.{e.attr}") if _text(e.value) else None
        if known is not None:
            return known
        if e.attr in PATH_RETURNING_METHODS and expr_type(e.value, scope) == "pathlib.Path":
            return "pathlib.Path"
        return None
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Div):
        return "pathlib.Path" if expr_type(e.left, scope) == "pathlib.Path" else None
    if isinstance(e, ast.Call):
        return call_type(e, scope)
    return None


def _text(e: ast.expr) -> str | None:
    """`a.b.c` for a dotted name (iterating down the chain, however long); None otherwise."""
    attrs: list[str] = []
    while isinstance(e, ast.Attribute):
        attrs.append(e.attr)
        e = e.value
    if not isinstance(e, ast.Name):
        return None
    return ".".join([e.id, *reversed(attrs)])


def declared_types(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Module | ast.ClassDef, scope: TypeScope
) -> dict[str, str]:
    """Names typed before any flow analysis: annotated parameters, pytest's `tmp_path` and
    `tmp_path_factory` in tests and fixtures, annotated variables (`f: IO[str] = ...`) and
    paths derived from typed names (`p = tmp_path / "x"`)."""
    from unleak.names.resolver import iter_statements

    out: dict[str, str] = {}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            t = annotation_type(arg.annotation, scope)
            if t is None and arg.annotation is None:
                # pytest's fixture names, also passed on by hand (`Server(tmp_path)`).
                t = FIXTURE_TYPES.get(arg.arg)
            if t is not None:
                out[arg.arg] = t
    scope.var_types.update(out)
    for stmt in iter_statements(node.body, nested=False):
        target: ast.expr | None = None
        t = None
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            target = stmt.target
            t = annotation_type(stmt.annotation, scope)
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, (ast.BinOp, ast.Name, ast.Attribute))
        ):
            target = stmt.targets[0]
            t = expr_type(stmt.value, scope)
        if isinstance(target, ast.Name) and t is not None:
            out[target.id] = t
            scope.var_types[target.id] = t
    return out
