"""Time the curator workspace's pages in Chromium and take the README's screenshots.

Run against a running tracker with data loaded (the seeds plus both UPR exports make ~16,000
recommendations; `bench/load.py` can make more):

    .venv/bin/python bench/admin_pages.py http://127.0.0.1:8000 USERNAME PASSWORD [--screenshots] [--repeat N]

Prints, per page, the server's response time (time to first byte) and the full load in the
browser; with --repeat N each page is loaded N times and the median and the fastest are printed
(on a shared machine one load can wait for the CPU far longer than the page takes). With
--screenshots it writes docs/screenshots/*.png at 1400×900 and 390×844.
"""

import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


def pages(base):
    return {
        "dashboard": "/admin/",
        "recommendations": "/admin/recommendations/recommendation/",
        "search-174": "/admin/recommendations/recommendation/?q=174",
        "overdue": "/admin/recommendations/recommendation/?overdue=yes",
        "recommendation": "/admin/recommendations/recommendation/12/change/",
        "recommendation-history": "/admin/recommendations/recommendation/12/history/",
        "status-updates": "/admin/recommendations/statusupdate/",
        "status-update": "/admin/recommendations/statusupdate/1/change/",
        "documents": "/admin/recommendations/sourcedocument/",
        "document": "/admin/recommendations/sourcedocument/1/change/",
        "document-history": "/admin/recommendations/sourcedocument/1/history/",
        "citations": "/admin/recommendations/citation/",
        "reader": "/admin/recommendations/sourcedocument/1/read/",
        "status-update-form": "/admin/recommendations/statusupdate/add/?document=1&recommendation=12"
        "&location=paragraph+9&quote=Moser+pointed+to+the+need+to+relax+the+rules+on+the+right+of+assembly.",
    }


def main(base, username, password, screenshots=False, repeat=1):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for device, viewport in VIEWPORTS.items():
            page = browser.new_page(viewport=viewport)
            page.goto(base + "/admin/login/?next=/admin/")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            for name, path in pages(base).items():
                timings = []
                for _ in range(repeat if device == "desktop" else 1):
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    timings.append(
                        page.evaluate(
                            "(() => { const t = performance.getEntriesByType('navigation')[0];"
                            " return [t.responseStart - t.requestStart, t.loadEventEnd - t.startTime]; })()"
                        )
                    )
                if device == "desktop":
                    server = [t[0] for t in timings]
                    loaded = statistics.median(t[1] for t in timings)
                    print(
                        f"{name:24} server median {statistics.median(server):6.0f} ms, fastest {min(server):6.0f} ms"
                        f"   page loaded (median) {loaded:6.0f} ms",
                        flush=True,
                    )
                if screenshots and name in {"dashboard", "reader", "status-update-form", "recommendations"}:
                    if name == "reader":
                        page.locator("#p9 .tracker-para-text").select_text()
                        page.get_by_role("button", name="Cite this passage").click()
                        page.fill("#tracker-cite-search", "protest")
                        page.wait_for_selector("[data-cite-results] a")
                    if name == "status-update-form":
                        page.locator("#id_quote").scroll_into_view_if_needed()
                    SHOTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(SHOTS / f"{name}-{device}.png"))
            page.close()
        browser.close()


if __name__ == "__main__":
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
    main(*sys.argv[1:4], screenshots="--screenshots" in sys.argv, repeat=repeat)
