"""Accent-insensitive search on PostgreSQL, as FTS5 already is on SQLite ("uber" finds "über").

The GIN index becomes one on ``to_tsvector('simple', translate(text, ACCENTED, PLAIN))``;
storage.search builds its queries with the very same expression, so the planner uses it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Latin letters with diacritics and their base letters (storage.search.accent_map(), frozen
# here: an index must not change under a migration that has run).
ACCENTED = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíî"
    "ïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜ"
    "ĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐő"
    "ŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽ"
    "žƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻ"
    "ȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯ"
    "ȰȱȲȳ"
)
PLAIN = (
    "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiii"
    "inooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeG"
    "gGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOo"
    "RrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZ"
    "zOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoOojGgNnAa"
    "AaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOo"
    "OoYy"
)

_OLD = (
    "CREATE INDEX ix_transcript_entries_fts ON transcript_entries USING gin "
    "(to_tsvector('simple', text))"
)
_NEW = (
    "CREATE INDEX ix_transcript_entries_fts ON transcript_entries USING gin "
    f"(to_tsvector('simple', translate(text, '{ACCENTED}', '{PLAIN}')))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_transcript_entries_fts")
        op.execute(_NEW)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_transcript_entries_fts")
        op.execute(_OLD)
