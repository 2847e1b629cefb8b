"""Operator commands run from a workstation against a deployed stage (or the local emulation).

    python -m ops.catalog put videos.json | list | remove <id>...
    python -m ops.subscribers export --format csv|json
    portal-admin find|list|disable|enable|sign-out|require-reset|resend-code|delete|export|import
                 (python -m ops.admin; docs/operator-cli.md)

Each takes --endpoint-url, --profile, --region, --table (default $PORTAL_TABLE_NAME) and, where it
touches media, --bucket (default $PORTAL_MEDIA_BUCKET). Exit codes: 0 done, 1 refused (invalid
input, missing objects, unknown ids) with the reasons on stderr, 2 usage errors, 3 AWS failed
(unreachable, no credentials, no such table or bucket).
"""
