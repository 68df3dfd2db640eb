"""The audit log: who did what to which map, data version or account, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from journeymap.web.db import AuditEntry, User


def record(
    db: Session, user: User | None, action: str, target: str = "", detail: str = ""
) -> None:
    """Add one entry; the caller's commit makes it durable with the change itself."""
    db.add(
        AuditEntry(
            user_id=None if user is None else user.id,
            action=action,
            target=target[:255],
            detail=detail,
        )
    )


def recent_entries(db: Session, *, limit: int = 200) -> list[dict[str, Any]]:
    """The newest entries first (ties by id), with the user's name."""
    rows = db.execute(
        select(AuditEntry, User.username)
        .outerjoin(User, AuditEntry.user_id == User.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "at": entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            "user": username,
            "action": entry.action,
            "target": entry.target,
            "detail": entry.detail,
        }
        for entry, username in rows
    ]
