"""Pure insight functions: anonymisation, summaries, digests (text and domain objects)."""
