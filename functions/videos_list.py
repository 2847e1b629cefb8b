"""GET /v1/videos: the public catalogue, newest first, cursor-paginated, by title words and dates."""

from portal import services
from portal.catalog import CACHE_CONTROL
from portal.models.videos import VideoList, VideoListQuery
from portal.web import Request, endpoint

catalog = services.catalog()


@endpoint(query_model=VideoListQuery, response_model=VideoList, cache_control=CACHE_CONTROL)
def handler(query: VideoListQuery, request: Request) -> VideoList:
    return VideoList.of(catalog.list(query.limit, query.cursor, query.q, query.from_, query.to))
