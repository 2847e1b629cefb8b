"""POST /v1/videos/{videoId}/download: a presigned link (at most 15 minutes) to one rendition."""

from portal import services
from portal.errors import LimitExceeded, NotAuthorized, NotFound, UserNotConfirmed
from portal.models.videos import DownloadLink, DownloadRequest
from portal.principal import Principal
from portal.web import Request, endpoint

downloads = services.downloads()
services.media_client()  # the S3 client that signs the links, at init (into a SnapStart snapshot)


@endpoint(
    DownloadRequest,
    response_model=DownloadLink,
    errors=(NotAuthorized, UserNotConfirmed, NotFound, LimitExceeded),
)
def handler(body: DownloadRequest, request: Request) -> DownloadLink:
    link = downloads.issue(
        Principal.of(request.principal), request.path_params.get("videoId", ""), body.rendition, request.source_ip
    )
    return DownloadLink.of(link)
