"""The ``unleak`` command-line front end: a thin layer over :mod:`unleak.pipeline`."""
