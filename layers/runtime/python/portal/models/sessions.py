"""Where one is signed in. Request and response bodies (see portal.models)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from portal.models import Body

if TYPE_CHECKING:
    from portal.account_sessions import SessionView


class SessionItem(Body):
    id: str = Field(description="The session's id: DELETE /v1/account/sessions/{id} ends it.")
    createdAt: str = Field(description="When it signed in.", examples=["2026-12-01T22:30:00Z"])
    lastUsedAt: str = Field(description="When it last refreshed its tokens (or signed in).")
    device: str = Field(description="Browser and system from its User-Agent.", examples=["Firefox on Windows"])
    ip: str = Field(description="The address it signed in from.")
    method: Literal["password", "password + app code", "passkey"] = Field(description="How it signed in.")
    current: bool = Field(description="The session of the token that asks.")


class SessionList(Body):
    items: list[SessionItem] = Field(description="Live sessions, this one first, then the most recently used.")

    @classmethod
    def of(cls, views: list[SessionView]) -> SessionList:
        return cls(
            items=[
                SessionItem(
                    id=v.id,
                    createdAt=v.created_at,
                    lastUsedAt=v.last_used_at,
                    device=v.device,
                    ip=v.ip,
                    method=v.method,  # type: ignore[arg-type]
                    current=v.current,
                )
                for v in views
            ]
        )
