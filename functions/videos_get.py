"""GET /v1/videos/{videoId}: one video of the public catalogue."""

from portal import services
from portal.catalog import CACHE_CONTROL
from portal.errors import NotFound
from portal.models.videos import VideoInfo
from portal.web import Request, endpoint

catalog = services.catalog()


@endpoint(response_model=VideoInfo, errors=(NotFound,), cache_control=CACHE_CONTROL)
def handler(request: Request) -> VideoInfo:
    return VideoInfo.of(catalog.get(request.path_params.get("videoId", "")))
