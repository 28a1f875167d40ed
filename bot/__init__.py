"""Telegram adapter: maps updates to engine events and outputs to Bot API calls."""
