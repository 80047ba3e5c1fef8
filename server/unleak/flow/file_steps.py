"""Steps on a buffered file the site just opened that almost never fail.

`f.write("done\\n")` and `f.write("typedef %s %s;\\n" % (a, b))` put a short text in the
buffer; a failing flush surfaces in `close()`, which still closes. `f.read()`, `f.seek(n)` and
`f.tell()` on a file opened in binary mode fail only on a device error. Data of any size (a bare
variable: `f.write(content)`) goes past the buffer to the system, and text read in text mode
may not decode: those stay likely failures.

The flow analysis asks this in its second pass (`FunctionFlow.likely_leaks`) about the
statements that use the site's file.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from unleak.catalogue.failures import unlikely_to_fail
from unleak.names.text import expr_text
from unleak.source.walk import walk

Qualify = Callable[[ast.expr], "str | None"]

BUFFERED_OPENERS = frozenset(
    {
        "builtins.open",
        "io.open",
        "codecs.open",
        "os.fdopen",
        "tempfile.NamedTemporaryFile",
        "tempfile.TemporaryFile",
        "tempfile.SpooledTemporaryFile",
    }
)
_WRITES = frozenset({"write", "writelines"})
# Moving in or reading a binary file: no decoding, the data is the file's.
_BINARY_STEPS = frozenset({"read", "seek", "tell"})

_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf_8", "UTF-8", "UTF8"})
# Where each opener takes its mode (position, default) and its encoding (position or None).
_MODE_AT = {"builtins.open": 1, "io.open": 1, "codecs.open": 1, "os.fdopen": 1}
_TEMP_DEFAULT_BINARY = frozenset({"tempfile.NamedTemporaryFile", "tempfile.TemporaryFile"})


def buffered_step_unlikely(
    stmt: ast.AST | None, aliases: frozenset[str], opener: ast.Call, qualify: Qualify
) -> bool:
    """Whether ``stmt`` is a write of a short text, or a binary read/seek/tell, on the file
    ``opener`` made (known under ``aliases``), and nothing else in it is likely to fail."""
    qual = qualify(opener.func)
    if qual not in BUFFERED_OPENERS or _unbuffered(opener):
        return False
    call = _step_call(stmt)
    if not (
        call is not None
        and isinstance(call.func, ast.Attribute)
        and expr_text(call.func.value) in aliases
    ):
        return False
    args = [*call.args, *(k.value for k in call.keywords)]
    method = call.func.attr
    if method in _BINARY_STEPS:
        return not _text_mode(opener, qual) and _args_unlikely(args, qualify)
    if method not in _WRITES or not args:
        return False
    values = [a.value for a in args if isinstance(a, ast.Constant)]
    if len(values) == len(args) and all(isinstance(v, (str, bytes)) for v in values):
        # A constant: in the locale's encoding only ASCII text is sure to encode.
        return not _encodes_in_locale(opener, qual) or all(
            not isinstance(v, str) or v.isascii() for v in values
        )
    # A line formatted here from a constant template: short, and its values are names and
    # attributes the program already has. (Under a legacy locale a non-ASCII value may not
    # encode: rare enough; a whole document in a variable is another matter.)
    return all(_formatted_line(a) for a in args) and _args_unlikely(args, qualify)


def _step_call(stmt: ast.AST | None) -> ast.Call | None:
    """The call of `f.write(...)` or `data = f.read()` (stores into names cannot fail)."""
    value: ast.expr | None = None
    if isinstance(stmt, ast.Expr) or (
        isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets)
    ):
        value = stmt.value
    return value if isinstance(value, ast.Call) else None


def _args_unlikely(args: list[ast.expr], qualify: Qualify) -> bool:
    return all(_plain(a) or unlikely_to_fail(a, qualify) for a in args)


def _plain(expr: ast.expr) -> bool:
    """Nothing in ``expr`` calls or indexes: names, attributes, constants, operators."""
    return not any(isinstance(n, (ast.Call, ast.Subscript, ast.Await)) for n in walk(expr))


def _formatted_line(expr: ast.expr) -> bool:
    """`f"{a} {b}\\n"`, `"%s = %s\\n" % (k, v)`, `"{}".format(x)`, `a + "," + b + "\\n"`."""
    if isinstance(expr, ast.JoinedStr):
        return True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
        return isinstance(expr.left, ast.Constant) and isinstance(expr.left.value, (str, bytes))
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return any(_constant_text(n) for n in _concatenated(expr))
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "format"
        and _constant_text(expr.func.value)
    )


def _concatenated(expr: ast.expr) -> list[ast.expr]:
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return [*_concatenated(expr.left), *_concatenated(expr.right)]
    return [expr]


def _constant_text(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, (str, bytes))


def _mode(call: ast.Call, qual: str | None) -> ast.expr | None:
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    mode = keywords.get("mode")
    if mode is None and qual in _MODE_AT and len(call.args) > _MODE_AT[qual]:
        mode = call.args[_MODE_AT[qual]]
    if mode is None and qual in _TEMP_DEFAULT_BINARY and call.args:
        mode = call.args[0]
    return mode


def _text_mode(call: ast.Call, qual: str | None) -> bool:
    """Whether the file may be in text mode (a mode we cannot read counts as text)."""
    mode = _mode(call, qual)
    if mode is None:
        return qual not in _TEMP_DEFAULT_BINARY  # open()'s default mode is text
    return not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)) or (
        "b" not in mode.value
    )


def _encodes_in_locale(call: ast.Call, qual: str | None) -> bool:
    """Whether the file encodes text with the locale's encoding, which may reject non-ASCII
    text (`open(path, "w")`): not in binary mode, nor with a UTF-8 encoding or an `errors`
    handler."""
    if not _text_mode(call, qual):
        return False
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    encoding = keywords.get("encoding")
    if isinstance(encoding, ast.Constant) and encoding.value in _UTF8_NAMES:
        return False
    return "errors" not in keywords


def _unbuffered(call: ast.Call) -> bool:
    """`open(path, "wb", 0)`, `buffering=0`: every write goes to the system."""
    value = next((k.value for k in call.keywords if k.arg == "buffering"), None)
    if value is None and len(call.args) > 2:
        value = call.args[2]
    return value is not None and not (isinstance(value, ast.Constant) and value.value != 0)
