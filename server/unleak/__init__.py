"""unleak: find Python resources that are not released on every path."""

__version__ = "0.1.0"
