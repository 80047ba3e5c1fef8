"""``unleak trace``: run a command, record the resources it leaks at run time, compare them
with the static findings.

Reading a report needs neither the engine nor the command line (for editors)::

    from unleak.trace import load_report, leaks_for_file

    report = load_report(".unleak/trace.json")
    if isinstance(report, str):
        ...  # why it cannot be used (missing, corrupt, another version)
    else:
        for leak in leaks_for_file(report, "/abs/path/app.py"):
            leak.line, leak.kind, leak.message, leak.count, leak.status
"""

from unleak.trace.report import (
    DEFAULT_OUTPUT,
    REPORT_VERSION,
    Frame,
    ProcessInfo,
    Report,
    RuntimeLeak,
    leaks_for_file,
    load_report,
)

__all__ = [
    "DEFAULT_OUTPUT",
    "REPORT_VERSION",
    "Frame",
    "ProcessInfo",
    "Report",
    "RuntimeLeak",
    "leaks_for_file",
    "load_report",
]
