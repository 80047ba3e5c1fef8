"""Runtime leaks against the static findings `unleak check` gives in the project's root. No
process is traced here: the leak is written as a traced run would record it."""

from __future__ import annotations

from pathlib import Path

from unleak.trace.crosscheck import crosscheck
from unleak.trace.report import CONFIRMED, Frame, RuntimeLeak

FILES = {
    "pyproject.toml": '[project]\nname = "app"\n',
    # The class reaches main.py through the package's __init__, which no frame names.
    "pkg/__init__.py": "from pkg.impl import Store\n",
    "pkg/impl.py": (
        "class Store:\n"
        "    def __init__(self, path):\n"
        "        self.f = open(path)\n"
        "\n"
        "    def read(self):\n"
        "        return self.f.read()\n"
        "\n"
        "    def close(self):\n"
        "        self.f.close()\n"
    ),
    "main.py": (
        "from pkg import Store\n\n\ndef run(path):\n    s = Store(path)\n    return s.read()\n"
    ),
}


def test_a_finding_that_needs_a_module_no_frame_names_confirms_the_leak(tmp_path: Path) -> None:
    """The files of the traceback used to be analysed alone: without `pkg/__init__.py`,
    `Store` was unknown in main.py and the leak 'missed by static analysis', though `unleak
    check` reports it (tinydb's `TinyDB` in its tests' conftest.py)."""
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    impl, main = str(tmp_path / "pkg" / "impl.py"), str(tmp_path / "main.py")
    leak = RuntimeLeak(
        "file",
        "unclosed file <_io.TextIOWrapper name='data.txt' mode='r' encoding='UTF-8'>",
        impl,
        3,
        traceback=(Frame(impl, 3, "__init__", True), Frame(main, 5, "run", True)),
    )
    [checked] = crosscheck([leak])
    assert (checked.status, checked.rules) == (CONFIRMED, ("UL101",))
