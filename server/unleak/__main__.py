"""Allow ``python -m unleak``."""

from unleak.cli.main import main

raise SystemExit(main())
