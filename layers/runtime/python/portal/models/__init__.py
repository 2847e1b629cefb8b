"""Request and response bodies of the API (pydantic): what the wire accepts and what it returns.

One module per area (`portal.models.videos`, ...): a function imports only its own area's
models, whose classes are created at its cold start; this module holds what they share.

Requests are strict: unknown fields, wrong types and malformed values are 400 InvalidParameter
before any logic runs. Models build their validators lazily (`defer_build`): a function pays only
for the models it uses, and web.py builds its own request model at import.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from portal import addresses

Language = Literal["en", "fr"]


_ADDRESS_FIELD = Field(min_length=3, max_length=addresses.MAX_LENGTH + 16, examples=["ann@example.org"])


# An address that must only look like one (lookups: verify, resend, login...).
Email = Annotated[str, _ADDRESS_FIELD, AfterValidator(addresses.clean)]


# An address about to own an account: the full RFC check.
NewEmail = Annotated[str, _ADDRESS_FIELD, AfterValidator(addresses.validate_new)]


# Passwords are judged by the policy (InvalidPassword, failedRules), not here; the bound only
# keeps absurd input away from the hash function.
Password = Annotated[str, Field(min_length=1, max_length=1024, json_schema_extra={"format": "password"})]


Code = Annotated[str, Field(pattern=r"^[0-9]{6}$", examples=["042917"])]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


# An app code (6 digits) or a recovery code (`xxxxx-xxxxx`, typed loosely: spaces, case).
SecondFactorCode = Annotated[str, Field(min_length=6, max_length=32, examples=["042917", "7kq2m-9xw4d"])]


class QueryParameters(BaseModel):
    """Query string parameters: strings on the wire, so converted (lax), but unknown names refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, populate_by_name=True)
