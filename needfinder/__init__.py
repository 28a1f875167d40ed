"""Needfinder's own packages (services, CLI, insights, dashboard), under one name."""
