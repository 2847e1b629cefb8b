"""The API's one error vocabulary (Amazon Cognito's names) and its wire shape.

Every failure a client can see is one of these classes. On the wire it is the HTTP status plus
`{"error": {"code": ..., "message": ..., **extra}}`; `web.py` is the only place that turns an
exception into a response, and the OpenAPI document lists the same classes.
"""

from __future__ import annotations

import math


class ApiError(Exception):
    status: int = 500
    code: str = "InternalError"
    message: str = "Something went wrong on our side. Please try again."

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **extra: object) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.retry_after = None if retry_after is None else max(1, math.ceil(retry_after))
        self.extra = extra

    def body(self) -> dict[str, object]:
        error: dict[str, object] = {"code": self.code, "message": self.message, **self.extra}
        if self.retry_after is not None:
            error["retryAfter"] = self.retry_after
        return {"error": error}

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


class InvalidParameter(ApiError):
    status, code = 400, "InvalidParameter"
    message = "The request is not valid."


class InvalidPassword(ApiError):
    status, code = 400, "InvalidPassword"
    message = (
        "The password must be at least 12 characters long, no spaces, "
        "include upper/lowercase letters, numbers and symbols."
    )

    def __init__(self, failed_rules: list[str]) -> None:
        super().__init__(failedRules=failed_rules)


class CodeMismatch(ApiError):
    status, code = 400, "CodeMismatch"
    message = "The verification code is not correct."

    def __init__(self, attempts_remaining: int) -> None:
        super().__init__(attemptsRemaining=attempts_remaining)


class ExpiredCode(ApiError):
    status, code = 400, "ExpiredCode"
    message = "This code has expired or is no longer valid. Ask for a new code."


class TooManyFailedAttempts(ApiError):
    status, code = 400, "TooManyFailedAttempts"
    message = "Too many wrong codes were entered. Ask for a new code."


class NotAuthorized(ApiError):
    status, code = 401, "NotAuthorized"
    message = "Incorrect email address or password."


class WrongPassword(ApiError):
    """The account's current password, asked again by change password, change email and delete,
    is wrong. Not 401: the session is fine, and clients take a 401 for an ended session. Each one
    still counts as a failed sign-in (portal/lockout.py)."""

    status, code = 403, "WrongPassword"
    message = "The current password is not correct."


class UserNotConfirmed(ApiError):
    status, code = 403, "UserNotConfirmed"
    message = "Please verify your email address first."


class PasswordResetRequired(ApiError):
    status, code = 403, "PasswordResetRequired"
    message = 'A password reset is required for this account. Use "Forgot password" to choose a new one.'


class AliasExists(ApiError):
    status, code = 409, "AliasExists"
    message = "Another account already uses this email address."


class NotFound(ApiError):
    status, code = 404, "NotFound"
    message = "Not found."


class MethodNotAllowed(ApiError):
    status, code = 405, "MethodNotAllowed"
    message = "This method is not allowed on this path."


class RequestTooLarge(ApiError):
    status, code = 413, "RequestTooLarge"
    message = "The request body is too large."


class UnsupportedMediaType(ApiError):
    status, code = 415, "UnsupportedMediaType"
    message = "Send the request body as application/json."


class LimitExceeded(ApiError):
    status, code = 429, "LimitExceeded"
    message = "Too many requests. Please wait before trying again."

    def __init__(self, retry_after: float, message: str | None = None) -> None:
        super().__init__(message, retry_after=retry_after)


class InternalError(ApiError):
    status, code = 500, "InternalError"


class ServiceUnavailable(ApiError):
    status, code = 503, "ServiceUnavailable"
    message = "The service is busy or unavailable. Please try again shortly."

    def __init__(self, retry_after: float = 2) -> None:
        super().__init__(retry_after=retry_after)


VOCABULARY: tuple[type[ApiError], ...] = (
    InvalidParameter,
    InvalidPassword,
    CodeMismatch,
    ExpiredCode,
    TooManyFailedAttempts,
    NotAuthorized,
    WrongPassword,
    UserNotConfirmed,
    PasswordResetRequired,
    NotFound,
    MethodNotAllowed,
    AliasExists,
    RequestTooLarge,
    UnsupportedMediaType,
    LimitExceeded,
    InternalError,
    ServiceUnavailable,
)


class DependencyFailure(Exception):
    """An AWS service failed or timed out; the API answers 503 ServiceUnavailable."""
