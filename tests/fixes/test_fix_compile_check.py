"""A fix's check compiles only what the fix changes: the same answer as compiling it all."""

from __future__ import annotations

import ast
import textwrap

import pytest
from unleak.findings.model import Edit
from unleak.pipeline.fix_pass import Pass, compiles
from unleak.source.spans import Span

MODULE = textwrap.dedent(
    '''\
    """Docstring."""
    from __future__ import annotations

    import os
    # a comment


    def f(p):
        with open(p) as fh:
            return fh.read()


    class C:
        x = (1,
             2)

        def m(self):
            return os.getcwd()
    x = 1; y = 2
    '''
)
INSERTED = [
    "import contextlib\n",
    "from __future__ import division\n",
    "return 1\n",
    "import contextlib",
    "    z = 1\n",
    "def g():\n    nonlocal q\n",
    "break\n",
    "else:\n    pass\n",
    "@property\n",
    "x = (\n",
    "# a comment\n",
    "",
]


@pytest.mark.parametrize("future", [True, False])
@pytest.mark.parametrize("new_text", INSERTED)
def test_an_insertion_anywhere_compiles_as_the_whole_text_does(new_text: str, future: bool) -> None:
    module = MODULE if future else MODULE.replace("from __future__ import annotations\n", "")
    lines = module.splitlines(keepends=True)
    for n, line in enumerate(lines, 1):
        for column in sorted({0, len(line) - 1, len(line) // 2}):
            edit = Edit(Span(n, column, n, column), new_text)
            step = Pass(module, "\n", ast.parse(module))
            whole = compiles(step.apply([[edit]]), "m.py")
            assert step.compiles([[edit]], "m.py") == whole, (n, column, new_text)


def test_an_import_added_after_the_future_imports_is_compiled_alone() -> None:
    # Not the whole text: a module that compiles is not compiled again for an added import.
    step = Pass(MODULE, "\n", ast.parse(MODULE))
    edit = Edit(Span(4, 0, 4, 0), "import contextlib\n")
    compiled: list[str] = []
    import unleak.pipeline.fix_pass as fix_pass

    real = fix_pass.compiles

    def counting(text: str | ast.Module, path: str, flags: int = 0) -> bool:
        compiled.append(text if isinstance(text, str) else "<tree>")
        return real(text, path, flags)

    fix_pass.compiles = counting  # type: ignore[assignment]
    try:
        assert step.compiles([[edit]], "m.py")
    finally:
        fix_pass.compiles = real
    assert compiled == ["import contextlib\n"]
