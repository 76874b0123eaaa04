"""Screenshots of the reader site, as in README.md.

Run the demo site first (e.g. `DATA_DIR=/tmp/demo DEBUG=1 manage.py runserver
127.0.0.1:8123` after `migrate` and `load_demo`), then:

    .venv/bin/python docs/screenshots/capture.py http://127.0.0.1:8123

Uses Debian's Chromium through Playwright, like the browser tests.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
PAGES = {
    "home": "/",
    "section": "/politics/",
    "article": "/politics/the-coalition-that-counted-too-early/",
    "author": "/authors/tevita-fonua/",
}
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


def main(base_url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for device, (width, height) in VIEWPORTS.items():
            context = browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=1,
                is_mobile=device == "phone",
                has_touch=device == "phone",
            )
            page = context.new_page()
            for name, path in PAGES.items():
                page.goto(base_url + path, wait_until="networkidle")
                # Scroll through once so lazy-loaded pictures are in the shot.
                page.evaluate(
                    "async () => { for (let y = 0; y < document.body.scrollHeight; y += 400)"
                    " { window.scrollTo(0, y); await new Promise(r => setTimeout(r, 50)); }"
                    " window.scrollTo(0, 0); }"
                )
                page.wait_for_load_state("networkidle")
                target = HERE / f"{name}-{device}.png"
                # The top two screens of each page: what a reader sees first.
                length = min(2 * height, page.evaluate("document.body.scrollHeight"))
                page.screenshot(
                    path=str(target),
                    full_page=True,
                    clip={"x": 0, "y": 0, "width": width, "height": length},
                )
                sys.stdout.write(f"{target}\n")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8123")
