"""Source text: positions, decoding, lines, and error-tolerant parsing."""
