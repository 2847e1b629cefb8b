"""GET /v1/account/downloads (Bearer): the caller's own download history, newest first, paged."""

from portal import services
from portal.errors import NotAuthorized, UserNotConfirmed
from portal.models.videos import DownloadHistoryList, DownloadHistoryQuery
from portal.principal import Principal
from portal.web import Request, endpoint

history = services.download_history()


@endpoint(
    query_model=DownloadHistoryQuery, response_model=DownloadHistoryList, errors=(NotAuthorized, UserNotConfirmed)
)
def handler(query: DownloadHistoryQuery, request: Request) -> DownloadHistoryList:
    return DownloadHistoryList.of(history.list(Principal.of(request.principal), query.limit, query.cursor))
