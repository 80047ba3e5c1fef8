"""unleak's language server (LSP over stdio): ``unleak server`` or ``python -m unleak.lsp``."""
