"""GET /v1/newsletter/unsubscribe?token=...: a small page whose button POSTs the same link.

Opening a link must not unsubscribe by itself (mail scanners and link previews open links), so
the page only asks; RFC 8058 clients POST directly. A bad token is 400 before any page is shown.
"""

import html
from urllib.parse import urlencode

from portal import services
from portal.models.newsletter import UnsubscribeQuery
from portal.web import Html, Request, endpoint

links = services.unsubscribe_links()
services.preload_keys()  # this function reads the keys on its requests

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Unsubscribe</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;max-width:560px;margin:auto;padding:16px">
<p style="font-weight:bold;letter-spacing:1px">NATO MULTIMEDIA ACCOUNT</p>
<h1 style="font-size:20px">Unsubscribe from the newsletter</h1>
<p>Click the button to stop receiving the newsletter. / Cliquez sur le bouton pour ne plus recevoir la lettre d'information.</p>
<form method="post" action="{action}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe / Se désabonner</button>
</form>
</body></html>
"""


@endpoint(query_model=UnsubscribeQuery, media_type="text/html")
def handler(query: UnsubscribeQuery, request: Request) -> Html:
    links.check(query.token)
    # Relative to this very URL, so it holds behind any API Gateway stage or custom domain prefix.
    action = f"?{urlencode({'token': query.token})}"
    return Html(PAGE.format(action=html.escape(action, quote=True)))
