// "Your downloads": what the person downloaded, newest first (title, rendition, date), each with
// "Download again".

import { api, isLoggedIn } from "../api.js";
import { h, nextId } from "../dom.js";
import { download } from "../download.js";
import { loginFirst, messages, screen, showError } from "../forms.js";
import { formatDate, formatSize, t } from "../i18n.js";
import { currentSerial } from "../router.js";
import { backToAccount } from "./password-change.js";

const PAGE_SIZE = 20;

export function downloadsScreen() {
  if (!isLoggedIn()) return loginFirst(t("downloadsTitle"));
  const msgs = messages();
  const status = h("p", { class: "results__status", role: "status" }, t("loading"));
  const list = h("ul", { class: "history", "aria-busy": "true" });
  const more = h("button", { type: "button", class: "button button--secondary", hidden: true }, t("moreDownloads"));
  // The catalogue entry of each video seen, fetched once: the history holds ids, people read titles.
  const videos = new Map();
  const videoOf = (id) => {
    if (!videos.has(id)) videos.set(id, api.video(id).catch(() => null));
    return videos.get(id);
  };
  const serial = currentSerial();
  let cursor = null;

  async function load() {
    list.setAttribute("aria-busy", "true");
    try {
      const page = await api.downloads({ limit: PAGE_SIZE, cursor });
      const rows = await Promise.all(
        page.items.map(async (item) => historyRow(item, await videoOf(item.videoId))),
      );
      if (serial !== currentSerial()) return;
      list.append(...rows);
      cursor = page.nextCursor;
      more.hidden = !cursor;
      status.textContent = list.children.length ? "" : t("noDownloads");
      status.hidden = !status.textContent;
    } catch (error) {
      if (serial !== currentSerial()) return;
      status.hidden = true;
      showError(msgs, error);
    } finally {
      list.removeAttribute("aria-busy");
    }
  }
  more.addEventListener("click", load);
  load();
  return screen(t("downloadsTitle"), msgs.node, status, list, more, backToAccount());
}

function historyRow(item, video) {
  const rowMsgs = messages();
  const titleId = nextId("history-title");
  const rendition = video && (video.renditions || []).find((r) => r.name === item.rendition);
  const title = video ? video.title : t("videoGone");
  const what = rendition ? `${rendition.label} · ${formatSize(rendition.size)}` : item.rendition;
  const again = h(
    "button",
    {
      type: "button",
      class: "button button--download",
      "aria-label": t("downloadAgainFull", { title }),
    },
    t("downloadAgain"),
  );
  again.addEventListener("click", () => download(item.videoId, item.rendition, again, rowMsgs));
  return h(
    "li",
    { class: "history__item" },
    h(
      "article",
      { "aria-labelledby": titleId },
      h("h2", { class: "history__title", id: titleId, lang: (video && video.language) || null }, title),
      h("p", { class: "history__meta" }, `${what} · ${t("downloadedOn", { date: formatDate(item.issuedAt) })}`),
      video && rendition ? again : null,
      rowMsgs.node,
    ),
  );
}
