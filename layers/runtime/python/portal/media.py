"""The media bucket: presigned download URLs and object checks (the only module that knows S3).

Presigning is local: the URL is computed with the function's credentials and no AWS call is made.
It must be SigV4 (boto3 signs SigV2 by default, which S3 refuses in newer regions and which
cannot carry an expiry beyond the credentials' own), so the client is built with
`signature_version="s3v4"` (services.media_client). The URL lives as long as asked, and no
longer than the role's session credentials.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from portal.errors import DependencyFailure


class S3Media:
    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket

    def presign(self, key: str, content_type: str, disposition: str, expires_in: int) -> str:
        url: str = self._s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            ExpiresIn=expires_in,
            HttpMethod="GET",
        )
        return url

    def size(self, key: str) -> int | None:
        """The object's size in bytes; None when there is no such object (ops checks)."""
        try:
            return int(self._s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise DependencyFailure(f"S3: {exc.response.get('Error', {}).get('Code')}") from exc
        except BotoCoreError as exc:
            raise DependencyFailure(f"S3: {type(exc).__name__}") from exc
