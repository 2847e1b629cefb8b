"""GET /v1/videos/{videoId}: one video of the public catalogue."""

from portal import services
from portal.errors import NotFound
from portal.models import VideoInfo
from portal.web import Request, endpoint

catalog = services.catalog()


@endpoint(response_model=VideoInfo, errors=(NotFound,))
def handler(request: Request) -> VideoInfo:
    return VideoInfo.of(catalog.get(request.path_params.get("videoId", "")))
