"""``GET /healthz``: whether the dashboard reaches its database, and the queue lengths.

Public (load balancers and container health checks have no session), so it tells nothing
personal and nothing about the setup: counts and ``ok``/``unreachable``/``error``, never a
database URL, host name or error text (those go to the log).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from needfinder.web.context import web_context
from storage.database import Database, DatabaseUnavailable

log = logging.getLogger(__name__)

#: A health check that hangs is worse than one that fails: probes time out and retry anyway.
CHECK_TIMEOUT_SECONDS = 5.0


async def health_report(
    database: Database, *, give_up_after: float = CHECK_TIMEOUT_SECONDS
) -> tuple[int, dict[str, Any]]:
    """Return the HTTP status (200 healthy, 503 database not usable) and the JSON body."""
    body: dict[str, Any] = {"service": "dashboard"}
    try:
        async with asyncio.timeout(give_up_after), database.read() as uow:
            inbox = await uow.inbox.counts()
            outbox = await uow.outbox.counts()
    except (DatabaseUnavailable, TimeoutError, OSError) as error:
        log.warning("health check: database unreachable", extra={"error": str(error)[:300]})
        return 503, {**body, "database": "unreachable"}
    except SQLAlchemyError as error:
        # Reachable but unusable, e.g. not migrated yet (needfinder db upgrade).
        log.warning("health check: database error", extra={"error": str(error)[:300]})
        return 503, {**body, "database": "error"}
    return 200, {
        **body,
        "database": "ok",
        "inbox": {"pending": inbox.get("pending", 0), "failed": inbox.get("failed", 0)},
        "outbox": {"pending": outbox.get("pending", 0), "failed": outbox.get("failed", 0)},
    }


async def healthz(request: Request) -> Response:
    """Answer the health check as JSON (200 or 503), never cached."""
    status, body = await health_report(web_context(request).database)
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
