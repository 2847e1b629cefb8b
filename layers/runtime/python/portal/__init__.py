"""The portal's shared runtime: the use cases, their values and ports, and the adapters to AWS.

Use cases and values load no AWS library (tests/unit/test_layout.py); the adapters are dynamo/
(DynamoDB), mailer (SES), media (S3), keys (Secrets Manager) and web (API Gateway events).
services.py wires them together once per process; settings.py is the one place for configuration.
README "Layout" lists the modules.
"""
