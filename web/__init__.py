"""Staff web dashboard (ASGI)."""
