"""Persistence: SQLAlchemy tables, repositories, units of work, migrations."""
