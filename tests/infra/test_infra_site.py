"""The web client deployed: a private bucket behind CloudFront with an origin access control, the
shared security headers with the stage's API origin in connect-src, and config.js per stage."""

from __future__ import annotations

import json
import re
from pathlib import Path

from infra.web_headers import content_security_policy, security_headers

ROOT = Path(__file__).resolve().parents[2]
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # CloudFront's managed policy id


def _distribution(synth) -> tuple[str, dict]:
    (found,) = synth.of_type("AWS::CloudFront::Distribution").items()
    return found[0], found[1]["Properties"]["DistributionConfig"]


def _site_bucket_id(synth) -> str:
    _, config = _distribution(synth)
    (origin,) = config["Origins"]
    return origin["DomainName"]["Fn::GetAtt"][0]


def _access_logs_id(synth) -> str:
    media = next(b for b in synth.of_type("AWS::S3::Bucket").values() if "VersioningConfiguration" in b["Properties"])
    return media["Properties"]["LoggingConfiguration"]["DestinationBucketName"]["Ref"]


def _headers_policy(synth) -> dict:
    return synth.one("AWS::CloudFront::ResponseHeadersPolicy")["Properties"]["ResponseHeadersPolicyConfig"]


def test_site_bucket_is_private_not_a_website_and_logs_under_site(synth):
    bucket = synth.resources[_site_bucket_id(synth)]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "WebsiteConfiguration" not in bucket
    assert bucket["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": _access_logs_id(synth)},
        "LogFilePrefix": "site/",
    }
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }


def test_cloudfront_reads_the_bucket_through_its_origin_access_control_only(synth):
    distribution_id, config = _distribution(synth)
    ((oac_id, oac),) = synth.of_type("AWS::CloudFront::OriginAccessControl").items()
    oac_config = oac["Properties"]["OriginAccessControlConfig"]
    assert (
        oac_config["SigningBehavior"],
        oac_config["SigningProtocol"],
        oac_config["OriginAccessControlOriginType"],
    ) == ("always", "sigv4", "s3")
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI

    bucket_id = _site_bucket_id(synth)
    (policy,) = [
        p for p in synth.of_type("AWS::S3::BucketPolicy").values() if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Action"] == "s3:GetObject"
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/*"]]}
    (condition,) = allow["Condition"]["StringEquals"].values()
    assert list(allow["Condition"]["StringEquals"]) == ["AWS:SourceArn"]
    assert ":distribution/" in json.dumps(condition) and {"Ref": distribution_id} in condition["Fn::Join"][1]


def test_distribution_redirects_to_https_serves_index_html_and_logs(synth):
    _, config = _distribution(synth)
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert behavior["Compress"] is True and behavior["CachePolicyId"] == CACHING_OPTIMIZED
    assert behavior["ResponseHeadersPolicyId"] == {
        "Ref": next(iter(synth.of_type("AWS::CloudFront::ResponseHeadersPolicy")))
    }
    assert config["HttpVersion"] == "http2and3" and config["PriceClass"] == "PriceClass_100"
    access_logs = _access_logs_id(synth)
    assert config["Logging"] == {"Bucket": {"Fn::GetAtt": [access_logs, "RegionalDomainName"]}, "Prefix": "cloudfront/"}
    # CloudFront's standard logs are written with ACLs: the log bucket must not disable them.
    ownership = synth.resources[access_logs]["Properties"]["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerPreferred"}]


def test_response_headers_policy_sends_the_shared_headers_with_the_api_origin_in_connect_src(synth):
    policy = _headers_policy(synth)
    security = policy["SecurityHeadersConfig"]
    origin = synth.config.public_api_origin
    csp = security["ContentSecurityPolicy"]
    assert csp == {"ContentSecurityPolicy": content_security_policy(("'self'", origin)), "Override": True}
    assert f"connect-src 'self' {origin};" in csp["ContentSecurityPolicy"]
    assert security["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": 2 * 365 * 24 * 3600,
        "IncludeSubdomains": True,
        "Override": True,
    }
    shared = security_headers(("'self'", origin))
    assert shared["X-Content-Type-Options"] == "nosniff" and security["ContentTypeOptions"] == {"Override": True}
    assert security["FrameOptions"] == {"FrameOption": shared["X-Frame-Options"], "Override": True}
    assert security["ReferrerPolicy"] == {"ReferrerPolicy": shared["Referrer-Policy"], "Override": True}
    custom = {h["Header"]: h["Value"] for h in policy["CustomHeadersConfig"]["Items"]}
    assert custom == {name: shared[name] for name in ("Permissions-Policy", "Cross-Origin-Opener-Policy")}


def test_each_stage_lets_the_client_call_its_own_api(dev, prod):
    dev_csp = _headers_policy(dev)["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    prod_csp = _headers_policy(prod)["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "connect-src 'self' https://api.dev.multimedia.example.org;" in dev_csp
    assert "connect-src 'self' https://api.multimedia.example.org;" in prod_csp


def _source_dirs(synth, deployment: dict) -> list[Path]:
    return [synth.outdir / f"asset.{key.removesuffix('.zip')}" for key in deployment["Properties"]["SourceObjectKeys"]]


def test_deployment_uploads_web_without_config_js_then_the_stage_config(synth):
    (deployment,) = synth.of_type("Custom::CDKBucketDeployment").values()
    props = deployment["Properties"]
    distribution_id, _ = _distribution(synth)
    assert props["DestinationBucketName"] == {"Ref": _site_bucket_id(synth)}
    assert props["Prune"] is True
    assert props["SystemMetadata"] == {"cache-control": "no-cache"}
    assert props["DistributionId"] == {"Ref": distribution_id} and props["DistributionPaths"] == ["/*"]
    web, config = _source_dirs(synth, deployment)
    web_files = sorted(p.relative_to(ROOT / "web").as_posix() for p in (ROOT / "web").rglob("*") if p.is_file())
    assert "config.js" in web_files and "screens/account.js" in web_files
    uploaded = sorted(p.relative_to(web).as_posix() for p in web.rglob("*") if p.is_file())
    assert uploaded == [name for name in web_files if name != "config.js"]
    # The catalogue's posters live beside the site's files, put there by ops: never pruned.
    assert props["Exclude"] == ["posters/*"]
    assert [p.name for p in config.iterdir()] == ["config.js"]
    text = (config / "config.js").read_text()
    # The shape web/api.js imports: a default export with apiBaseUrl.
    match = re.fullmatch(r"export default (\{.*\});\n", text)
    assert match and json.loads(match.group(1)) == {"apiBaseUrl": synth.config.public_api_url}
    (function,) = synth.custom_resource_functions().values()
    assert function["Properties"]["MemorySize"] == 256


def test_site_url_is_an_output(synth):
    distribution_id, _ = _distribution(synth)
    assert synth.template["Outputs"]["SiteUrl"]["Value"] == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]
    }


def test_without_a_custom_domain_the_site_uses_the_cloudfront_address(synth):
    _, config = _distribution(synth)
    assert synth.config.site_domain is None
    assert "Aliases" not in config and "ViewerCertificate" not in config


def test_a_custom_domain_gets_its_certificate_and_tls_1_2(options):
    # The variant synthesized without the CFR4 acknowledgment, so cdk-nag found TLS compliant.
    _, config = _distribution(options)
    assert config["Aliases"] == [options.config.site_domain]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": options.config.site_certificate_arn,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }
    assert options.config.site_origin in options.config.cors_origins
