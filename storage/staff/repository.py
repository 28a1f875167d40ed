"""``StaffRepository``: the staff queries and commands, composed into one repository."""

from __future__ import annotations

from storage.staff.access import StaffAccess
from storage.staff.audit import AuditLog
from storage.staff.coding import CodingCommands
from storage.staff.funnel import FunnelQueries
from storage.staff.listing import ListingQueries
from storage.staff.search import SearchQueries


class StaffRepository(
    ListingQueries, SearchQueries, CodingCommands, FunnelQueries, AuditLog, StaffAccess
):
    """Everything the staff dashboard and the bot's staff commands read and write."""
