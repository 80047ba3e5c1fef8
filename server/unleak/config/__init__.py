"""Project configuration: ``[tool.unleak]`` in ``pyproject.toml``, loaded and validated."""

from unleak.config.errors import ConfigError
from unleak.config.loading import find_pyproject, load_config, load_config_file
from unleak.config.model import Config

__all__ = ["Config", "ConfigError", "find_pyproject", "load_config", "load_config_file"]
