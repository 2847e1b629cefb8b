"""The web client (web/) deployed: a private S3 bucket read by CloudFront through an origin access
control, the security headers of infra/web_headers.py as a response headers policy (connect-src:
the API's origin), and config.js written at deploy time with the stage's public_api_url.
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Acknowledgment, DefaultStackSynthesizer, Duration, Stack, Validations
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.config import StageConfig
from infra.functions import iam_wildcard_ack, log_group
from infra.storage import private_bucket
from infra.web_headers import CACHE_CONTROL, security_headers

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
SITE_LOG_PREFIX = "site/"
CLOUDFRONT_LOG_PREFIX = "cloudfront/"
HSTS_MAX_AGE = Duration.days(730)  # two years


def config_js(api_base_url: str) -> str:
    """web/config.js as the client imports it (web/api.js): the API's base URL, no trailing slash."""
    return f"export default {json.dumps({'apiBaseUrl': api_base_url})};\n"


def headers_policy(scope: Construct, id: str, config: StageConfig) -> cloudfront.ResponseHeadersPolicy:
    """Every header of security_headers(), the way CloudFront takes it, plus HSTS."""
    headers = security_headers(connect_src=("'self'", config.public_api_origin))
    assert headers.pop("X-Content-Type-Options") == "nosniff"  # CloudFront's only value for it
    security = cloudfront.ResponseSecurityHeadersBehavior(
        content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
            content_security_policy=headers.pop("Content-Security-Policy"), override=True
        ),
        content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
        frame_options=cloudfront.ResponseHeadersFrameOptions(
            frame_option=cloudfront.HeadersFrameOption[headers.pop("X-Frame-Options")], override=True
        ),
        referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
            referrer_policy=cloudfront.HeadersReferrerPolicy[headers.pop("Referrer-Policy").upper().replace("-", "_")],
            override=True,
        ),
        strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
            access_control_max_age=HSTS_MAX_AGE, include_subdomains=True, override=True
        ),
    )
    # What CloudFront has no security-header field for goes out as a custom header.
    custom = cloudfront.ResponseCustomHeadersBehavior(
        custom_headers=[
            cloudfront.ResponseCustomHeader(header=name, value=value, override=True) for name, value in headers.items()
        ]
    )
    return cloudfront.ResponseHeadersPolicy(
        scope,
        id,
        comment=f"portal {config.name}: web client security headers",
        security_headers_behavior=security,
        custom_headers_behavior=custom,
    )


class Site(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig, access_logs: s3.IBucket) -> None:
        super().__init__(scope, id)
        # No website configuration: CloudFront reads objects through the S3 API with its OAC.
        self.bucket = private_bucket(
            self, "Bucket", config, server_access_logs_bucket=access_logs, server_access_logs_prefix=SITE_LOG_PREFIX
        )
        self.headers = headers_policy(self, "Headers", config)
        custom_domain: dict[str, object] = {}
        if config.site_domain and config.site_certificate_arn:
            custom_domain = {
                "domain_names": [config.site_domain],
                "certificate": acm.Certificate.from_certificate_arn(self, "Certificate", config.site_certificate_arn),
            }
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"portal {config.name}: web client",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
                compress=True,
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            # Applies with a custom certificate; the default *.cloudfront.net one always allows TLSv1.
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            # Standard logging writes with ACLs, which the access-log bucket allows (BUCKET_OWNER_PREFERRED).
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix=CLOUDFRONT_LOG_PREFIX,
            **custom_domain,  # type: ignore[arg-type]
        )
        self.deployment = self._deploy(config)
        self._acknowledge(config)

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"

    def _deploy(self, config: StageConfig) -> s3deploy.BucketDeployment:
        # Our own role and log group instead of the construct's default (AWSLambdaBasicExecutionRole,
        # a log group without retention): logs go to this log group only.
        logs_group = log_group(self, "DeployLogs", config)
        role = iam.Role(
            self, "DeployRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description="web client upload"
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[logs_group.log_group_arn]
            )
        )
        deployment = s3deploy.BucketDeployment(
            self,
            "Deploy",
            sources=[
                s3deploy.Source.asset(str(WEB_DIR), exclude=["config.js"]),
                s3deploy.Source.data("config.js", config_js(config.public_api_url)),
            ],
            destination_bucket=self.bucket,
            prune=True,
            # The catalogue's posters (ops/posters.py) are uploaded to posters/ by ops, not from
            # web/: excluded, so that a deployment's prune never deletes them. CloudFront serves
            # them like the site's files, with no Lambda call per image.
            exclude=["posters/*"],
            cache_control=[s3deploy.CacheControl.from_string(CACHE_CONTROL)],
            distribution=self.distribution,
            distribution_paths=["/*"],
            # The default 128 MB runs the AWS CLI's sync slowly; the site is under 100 KB.
            memory_limit=256,
            role=role,
            log_group=logs_group,
        )
        self._deploy_role = role
        return deployment

    def _acknowledge(self, config: StageConfig) -> None:
        stack = Stack.of(self)
        acks = [
            Acknowledgment(
                id="AwsSolutions-CFR1",
                reason="The distribution serves the client's static files, which hold no data; who may use the "
                "portal is decided by its accounts, and no requirement limits it by country.",
            ),
            Acknowledgment(
                id="AwsSolutions-CFR2",
                reason="A CloudFront web ACL must live in us-east-1 and this stack deploys to the stage's region; "
                "the distribution only serves static files from S3, while the API, where abuse costs, has its own "
                "regional WAF with per-IP rate limits.",
            ),
        ]
        if not config.site_certificate_arn:
            acks.append(
                Acknowledgment(
                    id="AwsSolutions-CFR4",
                    reason="No custom domain is configured for this stage (site_domain, site_certificate_arn), so the "
                    "site uses CloudFront's default *.cloudfront.net certificate, which always accepts TLSv1; with "
                    "a certificate the distribution requires TLSv1.2_2021.",
                )
            )
        for ack in acks:
            Validations.of(self.distribution).acknowledge(ack)
        bucket_id = stack.get_logical_id(self.bucket.node.default_child)  # type: ignore[arg-type]
        # The bootstrap's asset bucket, as cdk-nag names it in the finding.
        assets_bucket = f"cdk-{DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-{config.account or '<AWS::AccountId>'}-{config.region}"
        Validations.of(self._deploy_role).acknowledge(
            iam_wildcard_ack(
                "Action::s3:GetObject*",
                "BucketDeployment's grants: read the site's asset from the CDK asset bucket, write the site bucket.",
            ),
            iam_wildcard_ack(
                "Action::s3:GetBucket*", "BucketDeployment's grants on the CDK asset bucket and the site bucket."
            ),
            iam_wildcard_ack(
                "Action::s3:List*",
                "BucketDeployment lists the asset, and the site bucket to prune files no longer in web/.",
            ),
            iam_wildcard_ack(
                "Action::s3:DeleteObject*", "prune=True: files removed from web/ are deleted from the site bucket."
            ),
            iam_wildcard_ack(
                "Action::s3:Abort*", "BucketDeployment's write grant (aborting failed multipart uploads)."
            ),
            iam_wildcard_ack(
                f"Resource::<{bucket_id}.Arn>/*",
                "Every object of the site bucket is the site: it is replaced as a whole.",
            ),
            iam_wildcard_ack(
                f"Resource::arn:aws:s3:::{assets_bucket}/*",
                "BucketDeployment reads the site's zipped asset from the CDK asset bucket (object names are hashes).",
            ),
            iam_wildcard_ack(
                "Resource::*",
                "BucketDeployment invalidates the distribution after an upload; CDK grants "
                "cloudfront:CreateInvalidation/GetInvalidation on every distribution.",
            ),
        )
