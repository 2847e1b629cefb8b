"""The embedded AWS emulation: moto's server in this process, provisioned like the deployed stack.

The table comes from portal.tables (the CDK app builds the same), the keys secret has the shape
portal.keys defines, and the sender identity and CORS origins come from the stage config in
cdk.json. With AWS_ENDPOINT_URL set, that endpoint is used instead and resources that are
missing there are created.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from infra.config import StageConfig, load_stage
from portal import keys, tables
from portal.settings import Settings

LOCAL_REGION = "eu-west-1"
LOCAL_ACCOUNT = "123456789012"  # moto's default account


@dataclass(frozen=True)
class CapturedMail:
    """A mail the emulated SES accepted, as the local runner shows it (not portal.emails.Mail)."""

    to: str
    subject: str
    text: str
    html: str
    sent_at: str

    def as_json(self) -> dict[str, str]:
        return {"to": self.to, "subject": self.subject, "text": self.text, "html": self.html, "sentAt": self.sent_at}


class Emulation:
    def __init__(self, stage: StageConfig | None = None, endpoint_url: str | None = None) -> None:
        self.stage = stage or load_stage("dev")
        self.external_endpoint = endpoint_url
        self.endpoint_url = endpoint_url or ""
        self._server: Any = None

    @property
    def embedded(self) -> bool:
        return self.external_endpoint is None

    def settings(self) -> Settings:
        return Settings(
            stage=f"local-{self.stage.name}",
            table_name=f"portal-{self.stage.name}",
            keys_secret_id=f"portal/{self.stage.name}/keys",
            signing_keys_secret_id=f"portal/{self.stage.name}/signing-keys",
            mail_sender=self.stage.mail_sender,
            cors_origins=self.stage.cors_origins,
            media_bucket=f"portal-{self.stage.name}-media",
            passkey_rp_id="localhost",  # a WebAuthn RP ID is a domain: the runner is used at localhost
            passkey_origins=self.stage.passkey_origins,
        )

    def start(self) -> None:
        if self.embedded:
            from moto.server import ThreadedMotoServer

            make_requests_atomic()
            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            self._server.start()
            host, port = self._server.get_host_and_port()
            self.endpoint_url = f"http://{host}:{port}"
            for name, value in {
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": LOCAL_REGION,
                "AWS_REGION": LOCAL_REGION,
            }.items():
                os.environ[name] = value
        os.environ["AWS_ENDPOINT_URL"] = self.endpoint_url
        os.environ.update(self.settings().to_env())
        os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "portal")
        os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "PortalLocal")
        self.provision()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(service, endpoint_url=self.endpoint_url)

    def provision(self) -> None:
        provision(self.client, self.settings(), self.stage.mail_domain)
        from local.sample import seed_sample_catalog

        seed_sample_catalog(self.client, self.settings())

    def mailbox(self) -> list[CapturedMail]:
        """Every message the emulated SES accepted, oldest first."""
        return sent_mail() if self.embedded else []


_REQUEST_LOCK = threading.RLock()


def make_requests_atomic() -> None:
    """Serialize the emulation's request handling, as each AWS request is atomic.

    moto applies a request (a DynamoDB transaction, a conditional write) without a lock, so two
    threads can both pass one condition; DynamoDB never lets them. Without this, races that the
    service prevents would show up locally and concurrency tests would test moto, not the code.
    """
    from moto.core.responses import BaseResponse

    original = BaseResponse.call_action
    if getattr(original, "atomic", False):
        return

    def call_action(self: Any) -> Any:
        with _REQUEST_LOCK:
            return original(self)

    call_action.atomic = True  # type: ignore[attr-defined]
    BaseResponse.call_action = call_action  # type: ignore[method-assign]


def provision(client: Callable[[str], Any], settings: Settings, mail_domain: str) -> None:
    """Create what the functions expect, where it is missing: table, sender identity, keys."""
    dynamodb = client("dynamodb")
    if settings.table_name not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(**tables.create_table_request(settings.table_name))
        dynamodb.update_time_to_live(
            TableName=settings.table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": tables.TTL_ATTRIBUTE},
        )
    ses = client("sesv2")
    if mail_domain not in {i["IdentityName"] for i in ses.list_email_identities()["EmailIdentities"]}:
        ses.create_email_identity(EmailIdentity=mail_domain)
    if settings.media_bucket:
        provision_media_bucket(client("s3"), settings.media_bucket)
    secrets = client("secretsmanager")
    try:
        secrets.describe_secret(SecretId=settings.keys_secret_id)
    except secrets.exceptions.ResourceNotFoundException:
        secrets.create_secret(Name=settings.keys_secret_id, SecretString=keys.new_secret_document())
    # Imported here: they load portal.audit, whose logger and metrics read the environment that
    # Emulation.start sets first.
    from portal.dynamo.signing_keys import DynamoPublicKeys, publish
    from portal.signing_keys import PrivateKeySet

    try:
        secrets.describe_secret(SecretId=settings.signing_keys_secret_id)
    except secrets.exceptions.ResourceNotFoundException:
        # As after a deploy and the first `portal-admin keys rotate` (docs/operations.md).
        first = PrivateKeySet([]).rotated(0, 0)
        secrets.create_secret(Name=settings.signing_keys_secret_id, SecretString=json.dumps({"keys": []}))
        publish(first, DynamoPublicKeys(dynamodb, settings.table_name), secrets, settings.signing_keys_secret_id)


def provision_media_bucket(s3: Any, bucket: str) -> None:
    """Private and encrypted, as the stack builds it (infra/ owns the real bucket and its policy).

    The stack's TLS-only statement (Deny when aws:SecureTransport is false) is left out here:
    moto enforces bucket policies but evaluates aws:SecureTransport as false even for HTTPS
    requests, and the embedded emulation speaks plain HTTP, so it would refuse every request.
    """
    if bucket in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        return
    region = s3.meta.region_name
    extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **extra)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration=dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
        ),
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


def sent_mail(account: str = LOCAL_ACCOUNT, region: str = LOCAL_REGION) -> list[CapturedMail]:
    """Every message moto's SES (in this process) accepted, oldest first."""
    from moto.ses.models import ses_backends

    return [parse_raw(m.raw_data) for m in list(ses_backends[account][region].sent_messages) if hasattr(m, "raw_data")]


def parse_raw(raw: str) -> CapturedMail:
    message = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return CapturedMail(
        to=str(message["To"]),
        subject=str(message["Subject"]),
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
        sent_at=email.utils.parsedate_to_datetime(str(message["Date"])).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
