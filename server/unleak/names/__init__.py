"""Names: what an expression refers to through imports and aliases, its short text, and the
trigger words that tell which code can acquire a resource."""
