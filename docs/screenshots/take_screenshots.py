"""Take the dashboard screenshots shown in README.md (desktop and phone, 390 px wide).

Against a running tracker with the seed data (``make run`` in another shell):

    .venv/bin/python docs/screenshots/take_screenshots.py http://127.0.0.1:8000

Needs the dev requirements (Playwright) and Chromium (``/usr/bin/chromium`` or CHROMIUM_PATH).
"""

import json
import os
import sys
from pathlib import Path
from urllib.request import urlopen

from playwright.sync_api import expect, sync_playwright

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def main(base):
    with urlopen(f"{base}/api/v1/recommendations/?external_id=seed:tokayev-protest-law-reform") as response:
        promise = json.load(response)["results"][0]["id"]
    pages = {
        "overview": "/en/",
        "recommendation": f"/en/recommendations/{promise}/",
        "state": "/ru/states/KZ/",
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for device, viewport in VIEWPORTS.items():
            page = browser.new_page(viewport=viewport, device_scale_factor=1)
            for name, path in pages.items():
                page.goto(base + path)
                expect(page.locator('figure.chart[data-api]:not([data-drawn="true"])')).to_have_count(0)
                target = HERE / f"{name}-{device}.png"
                # The top of the page as a visitor first sees it (two screens high on a phone).
                height = viewport["height"] * (2 if device == "phone" else 1.5)
                page.screenshot(
                    path=target, full_page=True, clip={"x": 0, "y": 0, "width": viewport["width"], "height": height}
                )
                print(target)
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
