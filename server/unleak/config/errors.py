"""The one error type configuration problems are reported with."""

from __future__ import annotations


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""
