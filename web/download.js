// Downloading a rendition: from the catalogue, from "Your downloads", and by itself once a person
// who pressed Download while logged out is back from logging in.

import { api, isLoggedIn } from "./api.js";
import { h } from "./dom.js";
import { isLocked, lockButton, showError } from "./forms.js";
import { formatSize, t } from "./i18n.js";
import { go, parseHash, setFlash } from "./router.js";

// The catalogue route's parameter that asks for a download as soon as the person is logged in.
export const PENDING_PARAM = "download";

/** Download `renditionName` of `videoId`, its outcome in `msgs`; logged out, log in first and come back to it. */
export async function download(videoId, renditionName, button, msgs) {
  if (button && isLocked(button)) return;
  if (!isLoggedIn()) {
    const { path, params } = parseHash();
    params.set(PENDING_PARAM, `${videoId}/${renditionName}`);
    setFlash(t("loginToDownload"));
    go("/login", { next: `${path}?${params}` });
    return;
  }
  if (button) lockButton(button, true);
  msgs.clear();
  try {
    const link = await api.download(videoId, renditionName);
    // A presigned URL answering with Content-Disposition: attachment: following it downloads
    // the file and leaves this page where it is.
    const anchor = h("a", { href: link.url, download: link.filename, rel: "noopener" });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    msgs.status(
      t("downloadStarted", { filename: link.filename, size: formatSize(link.size) }),
      h(
        "p",
        { class: "message__link" },
        h(
          "a",
          { href: link.url, download: link.filename, rel: "noopener" },
          t("downloadLinkNote", { filename: link.filename }),
        ),
      ),
    );
  } catch (error) {
    showError(msgs, error, button ? { buttons: [button] } : {});
  } finally {
    if (button) lockButton(button, false);
  }
}

/**
 * The download a person asked for before logging in (`?download=<videoId>/<rendition>`): started
 * once, and the parameter taken out of the address so that a reload does not start it again.
 */
export function resumePendingDownload(params, msgs) {
  const pending = params.get(PENDING_PARAM);
  if (!pending || !isLoggedIn()) return;
  const cut = pending.lastIndexOf("/");
  if (cut <= 0) return;
  const rest = new URLSearchParams(params);
  rest.delete(PENDING_PARAM);
  const query = rest.toString();
  history.replaceState(null, "", `#${parseHash().path}${query ? `?${query}` : ""}`);
  download(pending.slice(0, cut), pending.slice(cut + 1), null, msgs);
}
