"""Passwords: forgot, reset, change. Request and response bodies (see portal.models)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from portal.models import Body, Code, Email, Password

if TYPE_CHECKING:
    pass


class ForgotRequest(Body):
    email: Email


class ResetRequest(Body):
    email: Email
    code: Code
    newPassword: Password


class ChangePasswordRequest(Body):
    currentPassword: Password
    newPassword: Password


class PasswordUpdated(Body):
    status: Literal["PASSWORD_UPDATED"] = "PASSWORD_UPDATED"
