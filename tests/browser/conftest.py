"""Browser fixtures: Debian's Chromium driven by Playwright for Python, against the local runner.

`make test` installs Chromium (apt) when /usr/bin/chromium is missing; Playwright's own browser
downloads are not used. Each test gets a fresh browser context (no cookies, no storage), so a
language choice or a session never leaks from one test into another. Every screenshot
(test-artifacts/screenshots/<lang>-<width>-<step>.png) is also an accessibility audit of that screen:
axe-core's WCAG 2.1 A/AA and best-practice rules, none may fail.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests import secrets_watch
from tests.local_runner import ROOT, LocalRunner

CHROMIUM = Path("/usr/bin/chromium")
# How long a step may wait for the page, the API or the mailbox. Generous on purpose: a sign-up
# hashes with argon2 and a loaded 2-core machine (CI beside other jobs) made 5-15 s waits fail
# walks that were right. A wait this long costs nothing when things go well.
WAIT_SECONDS = 60
# Playwright's expect() has its own 5 s default, separate from the context's timeout.
expect.set_options(timeout=WAIT_SECONDS * 1000)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CODE_LINE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)
AXE_RULES = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


@cache
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Portal:
    """One person's browser tab on the portal, with the helpers a walk needs."""

    page: object
    runner: LocalRunner
    lang: str
    width: int = 1024
    problems: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.runner.url

    def open(self, route: str = "/videos") -> None:
        self.page.goto(f"{self.url}/#{route}")
        self.page.locator("h1").first.wait_for()

    def shot(self, step: str) -> Path:
        """Save the screen as it is now, and audit it for accessibility."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.lang}-{self.width}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        violations = axe().run(self.page, options=AXE_RULES).response["violations"]
        found = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations
        ]
        assert not found, f"accessibility problems on {path.name}: {found}"
        return path

    def heading(self):
        return self.page.locator("main h1")

    def focused(self) -> dict[str, str]:
        return self.page.evaluate(
            "() => { const e = document.activeElement; return {tag: e.tagName, id: e.id, text: (e.textContent || '').trim()}; }"
        )

    def mail(self, to: str, subject: str, timeout: float = WAIT_SECONDS) -> dict[str, str]:
        """The newest message to `to` with this subject (the runner's /_local/mailbox)."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.runner.mailbox(to):
                if message["subject"] == subject:
                    return message
            if time.monotonic() > deadline:
                pytest.fail(f"no mail {subject!r} to {to}: {[m['subject'] for m in self.runner.mailbox(to)]}")
            time.sleep(0.1)

    def code(self, to: str, subject: str, newer_than: str | None = None) -> str:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            message = self.mail(to, subject)
            match = CODE_LINE.search(message["text"])
            assert match, "no code in the mail"
            if newer_than is None or match.group(1) != newer_than:
                secrets_watch.remember_secret(match.group(1))
                return match.group(1)
            if time.monotonic() > deadline:
                pytest.fail(f"no new {subject!r} code for {to}")
            time.sleep(0.1)

    def assert_clean(self) -> None:
        assert not self.problems, f"the page reported problems: {self.problems}"


def watch(page, base_url: str, problems: list[str]) -> None:
    """Record what a person would never notice but a broken page shows: script errors, CSP
    refusals, and static files of the site that fail to load. (API 4xx answers are expected.)"""
    origin = urlsplit(base_url).netloc

    def on_console(message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console: {message.text}")

    def on_response(response) -> None:
        parts = urlsplit(response.url)
        if parts.netloc == origin and not parts.path.startswith(("/v1/", "/_local/")) and response.status >= 400:
            problems.append(f"{response.status} {parts.path}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("response", on_response)


@pytest.fixture
def open_portal(browser, runner: LocalRunner) -> Iterator[object]:
    """open_portal(lang, width=1024, user_agent=None) -> a Portal in a fresh context; checked for
    problems at the end. `kind` builds a Portal subclass; `scripts` run before the page's own."""
    contexts = []
    portals: list[Portal] = []

    def make(
        lang: str = "en",
        width: int = 1024,
        height: int = 800,
        user_agent: str | None = None,
        kind: type[Portal] = Portal,
        scripts: tuple[str, ...] = (),
    ) -> Portal:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="en-GB",
            accept_downloads=True,
            user_agent=user_agent,  # None: Chromium's own
        )
        context.set_default_timeout(WAIT_SECONDS * 1000)
        contexts.append(context)
        for script in scripts:
            context.add_init_script(script)
        page = context.new_page()
        portal = kind(page=page, runner=runner, lang=lang, width=width)
        watch(page, portal.url, portal.problems)
        portals.append(portal)
        return portal

    yield make
    for context in contexts:
        context.close()
    for portal in portals:
        portal.assert_clean()
