"""Sign-up through the handlers on moto: register, verify, resend, and what they write."""

from __future__ import annotations

from tests.support import STRONG_PASSWORD


def test_register_emails_a_code_and_verify_confirms(api, aws):
    result = api.register("Ann.Smith@Example.org", language="fr")
    assert result.status == 202
    assert result.body == {"destination": "A***@e***.org", "codeExpiresIn": 1800}

    [mail] = aws.mail("ann.smith@example.org")
    assert mail.subject == "Votre code de vérification"
    assert "30 minutes" in mail.text and "30 minutes" in mail.html
    code = aws.last_code("ann.smith@example.org")
    assert code in mail.html

    # Another spelling of the same address is the same account.
    verified = api.verify("  ANN.SMITH@example.ORG ", code)
    assert verified.status == 200 and verified.body == {"status": "CONFIRMED"}
    user = aws.item("EMAIL#ann.smith@example.org", "USER")
    assert user["status"]["S"] == "CONFIRMED" and user["emailVerified"]["BOOL"] is True
    assert user["email"]["S"] == "Ann.Smith@example.org"  # display form, domain lower-cased
    assert user["passwordHash"]["S"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert STRONG_PASSWORD not in str(aws.items()) and code not in str(aws.items())


def test_signups_and_confirmations_are_counted_as_metrics(api, aws, capsys):
    import json

    api.confirmed_account("bob@example.org")
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    counted = [
        name
        for record in emitted
        for m in record["_aws"]["CloudWatchMetrics"]
        for name in [x["Name"] for x in m["Metrics"]]
    ]
    assert counted == ["SignUps", "Confirmations"]
    assert all(
        record["service"] == "portal" and record["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "PortalTest"
        for record in emitted
    )
