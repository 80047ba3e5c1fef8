"""A module's analysis: its units, their leaks classified into findings, messages,
explanations for hovers, suppressions, and per-unit result reuse."""
