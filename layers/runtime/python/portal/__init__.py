"""The portal's shared runtime: rules, records and adapters used by every route function.

Modules without AWS types: errors, models, addresses, passwords, codes, limits, signup, emails.
Adapters: store (DynamoDB), mailer (SES), keys (Secrets Manager), web (API Gateway events).
runtime.py wires them together once per process; settings.py is the one place for configuration.
"""
