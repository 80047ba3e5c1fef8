"""logarchiver: compress rotated log files, index them in SQLite and tell a collector.

A small example application for unleak. Lines marked ``LEAK ULxxx`` are real resource
leaks that unleak reports; everything else is meant to be correct.
"""

__version__ = "0.3.0"
