// The catalogue: search, pages, and a card per video with its downloads.

import { api } from "../api.js";
import { h, nextId } from "../dom.js";
import { download, resumePendingDownload } from "../download.js";
import { field, isLocked, lockButton, messages, screen, showError } from "../forms.js";
import { formatDate, formatDuration, formatSize, t } from "../i18n.js";
import { currentSerial, go } from "../router.js";

const PAGE_SIZES = [2, 6, 12, 24];
// Posters are 640 px wide, 16:9 (ops/posters.py).
const POSTER_WIDTH = 640;
const POSTER_HEIGHT = 360;
const DEFAULT_PAGE_SIZE = 12;
// Where the person is in the catalogue: the cursors of the pages seen, for "Previous page".
const catalogue = { key: "", cursors: [null], page: 0 };

export function videosScreen(params) {
  const q = (params.get("q") || "").trim().slice(0, 200);
  const size = PAGE_SIZES.includes(Number(params.get("size"))) ? Number(params.get("size")) : DEFAULT_PAGE_SIZE;
  const key = `${q}\n${size}`;
  if (catalogue.key !== key) Object.assign(catalogue, { key, cursors: [null], page: 0 });

  const search = field({
    id: "video-search",
    label: t("search"),
    type: "search",
    value: q,
    required: false,
    extra: { maxlength: 200, enterkeyhint: "search" },
  });
  const sizeId = "video-page-size";
  const sizeSelect = h(
    "select",
    { id: sizeId, name: sizeId },
    PAGE_SIZES.map((n) => h("option", { value: n, selected: n === size }, String(n))),
  );
  const searchForm = h(
    "form",
    { class: "search", role: "search", novalidate: true },
    search.wrapper,
    h(
      "div",
      { class: "field field--narrow" },
      h("label", { for: sizeId, class: "field__label" }, t("perPage")),
      sizeSelect,
    ),
    h(
      "div",
      { class: "search__actions" },
      h("button", { type: "submit", class: "button button--primary" }, t("searchSubmit")),
      q
        ? h(
            "a",
            { href: `#/videos${size !== DEFAULT_PAGE_SIZE ? `?size=${size}` : ""}`, class: "button button--secondary" },
            t("clearSearch"),
          )
        : null,
    ),
  );
  searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    go("/videos", {
      q: search.input.value.trim(),
      size: Number(sizeSelect.value) === DEFAULT_PAGE_SIZE ? null : sizeSelect.value,
    });
  });
  sizeSelect.addEventListener("change", () =>
    go("/videos", { q: q || null, size: Number(sizeSelect.value) === DEFAULT_PAGE_SIZE ? null : sizeSelect.value }),
  );

  const msgs = messages();
  const listStatus = h("p", { class: "results__status", role: "status" }, t("loading"));
  const list = h("ul", { class: "videos", "aria-busy": "true" });
  const previous = h("button", { type: "button", class: "button button--secondary" }, t("previousPage"));
  const nextButton = h("button", { type: "button", class: "button button--secondary" }, t("nextPage"));
  const pageLabel = h("span", { class: "pager__page" });
  const pager = h("nav", { class: "pager", "aria-label": t("pages"), hidden: true }, previous, pageLabel, nextButton);
  let nextCursor = null;
  const serial = currentSerial();

  async function load() {
    list.setAttribute("aria-busy", "true");
    listStatus.textContent = t("loading");
    msgs.clear();
    try {
      // A search reads a bounded slice of the index per request and may answer an empty page
      // with a cursor: follow it (a few times) before calling the page empty.
      let cursor = catalogue.cursors[catalogue.page];
      let page = null;
      for (let hop = 0; hop < 10; hop += 1) {
        page = await api.videos({ q: q || null, limit: size, cursor });
        if (page.items.length || !page.nextCursor) break;
        cursor = page.nextCursor;
      }
      if (serial !== currentSerial()) return;
      nextCursor = page.nextCursor;
      list.replaceChildren(...page.items.map((video) => videoCard(video)));
      const none = page.items.length === 0 && catalogue.page === 0;
      listStatus.textContent = none ? t(q ? "noVideos" : "noVideosAtAll") : q ? t("resultsFor", { q }) : "";
      listStatus.hidden = !listStatus.textContent;
      pager.hidden = catalogue.page === 0 && !nextCursor;
      lockButton(previous, catalogue.page === 0);
      lockButton(nextButton, !nextCursor);
      pageLabel.textContent = t("pageN", { n: catalogue.page + 1 });
    } catch (error) {
      if (serial !== currentSerial()) return;
      listStatus.hidden = true;
      showError(msgs, error, { fields: { q: search } });
    } finally {
      list.removeAttribute("aria-busy");
    }
  }
  previous.addEventListener("click", () => {
    if (isLocked(previous)) return;
    catalogue.page -= 1;
    load().then(() => heading.focus());
  });
  nextButton.addEventListener("click", () => {
    if (isLocked(nextButton)) return;
    catalogue.cursors[catalogue.page + 1] = nextCursor;
    catalogue.page += 1;
    load().then(() => heading.focus());
  });
  load();
  resumePendingDownload(params, msgs);

  const node = screen(t("videosTitle"), searchForm, msgs.node, listStatus, list, pager);
  const heading = node.querySelector("h1");
  return node;
}

function videoCard(video) {
  // Each card says how its download went, next to its buttons.
  const downloadMsgs = messages();
  const titleId = nextId("video-title");
  const paragraphs = String(video.description || "")
    .split(/\n\s*\n/)
    .filter(Boolean);
  const meta = [
    t("published", { date: formatDate(video.publishedAt) }),
    t("duration", { duration: formatDuration(video.durationSeconds) }),
  ];
  const langName = t("langNames")[video.language];
  if (langName) meta.push(t("videoLanguage", { language: langName }));
  const buttons = (video.renditions || []).map((rendition) => {
    const label = `${rendition.label} · ${formatSize(rendition.size)}`;
    const button = h(
      "button",
      {
        type: "button",
        class: "button button--download",
        "aria-label": t("downloadFull", { label: rendition.label, title: video.title }),
        "data-rendition": rendition.name,
      },
      t("download", { label }),
    );
    button.addEventListener("click", () => download(video.id, rendition.name, button, downloadMsgs));
    return h("li", {}, button);
  });
  return h(
    "li",
    { class: "video" },
    h(
      "article",
      { class: "video__card", "aria-labelledby": titleId },
      poster(video),
      h("h2", { class: "video__title", id: titleId, lang: video.language || null }, video.title),
      h("p", { class: "video__meta" }, meta.join(" · ")),
      paragraphs.length ? h("p", { class: "video__summary", lang: video.language || null }, paragraphs[0]) : null,
      paragraphs.length > 1
        ? h(
            "details",
            { class: "video__details" },
            h("summary", {}, t("readMore")),
            paragraphs.slice(1).map((p) => h("p", { lang: video.language || null }, p)),
          )
        : null,
      buttons.length ? h("ul", { class: "video__downloads", "aria-label": t("downloads") }, buttons) : null,
      downloadMsgs.node,
    ),
  );
}

/**
 * The video's poster with its duration: lazy-loaded, sized (the layout does not move while it
 * loads). A `posters/...` path is a static file of this site (the CDN deployed, the runner here):
 * no API call per image.
 */
function poster(video) {
  const src = /^https:\/\//.test(video.thumbnail || "")
    ? video.thumbnail
    : /^posters\/[a-z0-9][a-z0-9._-]*$/.test(video.thumbnail || "")
      ? new URL(video.thumbnail, document.baseURI).href
      : null;
  if (!src) return null;
  return h(
    "div",
    { class: "video__poster" },
    h("img", {
      class: "video__thumbnail",
      src,
      alt: t("posterAlt", { title: video.title }),
      loading: "lazy",
      decoding: "async",
      width: POSTER_WIDTH,
      height: POSTER_HEIGHT,
    }),
    h("span", { class: "video__duration", "aria-hidden": "true" }, formatDuration(video.durationSeconds)),
  );
}
