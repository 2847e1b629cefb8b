"""A CloudWatch Logs data protection policy on the function log groups: the second line behind
"no secrets in logs" (tests/secrets_watch.py is the first).

The runtime writes addresses masked and never passes passwords, codes or tokens to the logger; should
a line slip through anyway (a library's error text, a new call site), CloudWatch masks what matches
here for every reader without `logs:Unmask`, and writes a finding to the audit group.
"""

from __future__ import annotations

from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import StageConfig
from infra.functions import log_group

# Custom data identifiers: name -> regular expression (CloudWatch's syntax, at most 200 characters).
# Six-digit codes are left out on purpose: a pattern for them would mask every six-digit number.
TOKEN_PATTERNS = {
    # Access tokens: a JWT (base64url header starting {"... , payload, signature).
    "AccessToken": r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
    # Refresh tokens (<session id>.<256 random bits>) and unsubscribe link MACs end in 43 base64url characters.
    "SignedSecret": r"\.[A-Za-z0-9_-]{43}",
    # Password hashes: argon2 and bcrypt (imported accounts).
    "PasswordHash": r'\$(argon2(id|i|d)\$[^\s"]+|2[abxy]\$\d\d\$[./A-Za-z0-9]{53})',
}
MANAGED_IDENTIFIERS = ("EmailAddress",)


class LogProtection(Construct):
    """The policy the function factory puts on every function log group, and where findings go."""

    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        # Findings name the log group, the identifier and where it matched; never the value itself.
        self.findings = log_group(self, "Findings", config)
        self.policy = logs.DataProtectionPolicy(
            name=f"portal-{config.name}-function-logs",
            description="Mask addresses and token-shaped strings in function logs; audit each finding",
            identifiers=[
                *(logs.DataIdentifier(name) for name in MANAGED_IDENTIFIERS),
                *(logs.CustomDataIdentifier(name, regex) for name, regex in TOKEN_PATTERNS.items()),
            ],
            log_group_audit_destination=self.findings,
        )
