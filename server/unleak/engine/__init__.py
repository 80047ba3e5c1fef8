"""The analysis engine: parsing, control flow, ownership. Knows nothing of LSP or the CLI."""
