"""The code injected into traced processes: copied to a temporary directory that is put first
on ``PYTHONPATH``. Standard library only (the traced program may run under another Python);
it must never make the traced program fail.
"""
