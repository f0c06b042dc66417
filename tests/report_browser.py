"""Open a Snakemake HTML report in headless Chromium and record what a reader sees of every result.

The report is a JavaScript single-page app: a result shows only after clicking its
category, its subcategory and its eye button. ``render_report`` does exactly that
with Playwright driving Debian's ``chromium`` (installed with apt-get when missing
and run as root), and reads back what was drawn: an image's decoded size, the rows
of an HTML table in its frame, or the file name of a download link.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

# An image counts as shown once it has decoded (complete with a width), the way the browser paints it.
DECODED_IMAGE = """path => {
    const img = [...document.images].find(i => i.src === results[path].data_uri);
    return img && img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : null;
}"""


@dataclass(frozen=True)
class Shown:
    """What the report showed for one result after clicking its eye button."""

    kind: str  # "image", "html" or "download"
    caption: str
    size: tuple[int, int] | None = None  # decoded image width, height
    table_rows: int | None = None  # <tr> in an HTML page
    download_name: str | None = None


def chromium() -> tuple[str | None, str | None]:
    """(path of chromium, None), or (None, why it cannot be had here); installs it with apt-get as root."""
    found = shutil.which("chromium")
    if found:
        return found, None
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return None, "chromium is not installed and apt-get (as root) is not available to install it"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {result.stdout[-2000:]}{result.stderr[-2000:]}")
    return shutil.which("chromium"), None


def _open(page: Page, report: Path, category: str, subcategory: str, single: bool) -> None:
    page.goto(report.as_uri())
    page.get_by_role("link", name=category, exact=True).click()
    if not single:  # a category with one subcategory opens it directly
        page.get_by_role("link", name=subcategory, exact=True).click()
    page.locator("tbody tr").first.wait_for()


def _show_row(page: Page, row, caption_of) -> tuple[str, Shown]:
    eye = row.locator("a[iconname=eye]")
    download = eye.get_attribute("download")
    if download is not None:
        path = page.evaluate(
            "uri => Object.keys(results).find(p => results[p].data_uri === uri)", eye.get_attribute("href")
        )
        return path, Shown("download", caption_of(path), download_name=download)
    eye.click()
    path = page.evaluate("app.state.resultPath")
    mime = page.evaluate("path => results[path].mime_type", path)
    if mime.startswith("image/"):
        size = page.wait_for_function(DECODED_IMAGE, arg=path, timeout=15_000).json_value()
        return path, Shown("image", caption_of(path), size=tuple(size))
    uri = page.evaluate("path => results[path].data_uri", path)
    page.wait_for_function("() => document.querySelector('iframe') !== null")
    frame = next(f for f in page.frames if f.url == uri)
    frame.wait_for_load_state()
    return path, Shown("html", caption_of(path), table_rows=frame.evaluate("document.querySelectorAll('tr').length"))


def render_report(report: Path, executable: str) -> tuple[dict[str, Shown], list[str]]:
    """Every result of ``report`` by path, as shown after clicking through its menus; and the page's JS errors."""
    shown: dict[str, Shown] = {}
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(report.as_uri())
        layout = page.evaluate("Object.fromEntries(Object.entries(categories).map(([c, s]) => [c, Object.keys(s)]))")

        def caption_of(path: str) -> str:
            return page.evaluate("path => results[path].caption", path)

        for category, subcategories in layout.items():
            for subcategory in subcategories:
                _open(page, report, category, subcategory, single=len(subcategories) == 1)
                rows = page.locator("tbody tr")
                for i in range(rows.count()):
                    path, result = _show_row(page, rows.nth(i), caption_of)
                    shown[path] = result
        browser.close()
    return shown, errors
