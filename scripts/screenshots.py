"""Regenerate docs/screenshots/: each role's dashboard and the bid confirmation step, in Korean, at
1280 and 375 px wide, from a running demo.

    make run                                     # in one terminal: the demo (MFA_DEMO_RELAX=1)
    .venv/bin/python scripts/screenshots.py      # in another; --base-url, --out, --chromium to change

It signs in as the demo accounts (password DEMO_PASSWORD), so it needs the demo's data and nothing
else. The bid confirmation is shown and photographed, never submitted: the demo keeps its bids.
Uses Debian's Chromium (`apt-get install chromium`), as the browser tests do.
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
# procurement.demo.DEMO_PASSWORD (published on purpose; not imported, so that no Django set-up is needed).
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {1280: 800, 375: 812}
DASHBOARDS = {
    "official": "official@example.com",
    "supplier": "supplier1@example.com",
    "evaluator": "evaluator@example.com",
    "auditor": "auditor@example.com",
    "admin": "admin@example.com",
}
# An open demo tender with reserve prices, so that the confirmation shows the picks as well.
BID_TENDER = "2027년 청사 냉난방기 교체 구매"


def _sign_in(page, base_url: str, email: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "ko", "url": base_url}])
    page.goto(f"{base_url}/accounts/login/")
    page.locator("main input[name=login]").fill(email)
    page.locator("main input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/accounts/" in page.url:
        raise SystemExit(f"{email} could not sign in: is the demo running with MFA_DEMO_RELAX=1 (make run)?")


def _context(browser, width: int):
    return browser.new_context(
        viewport={"width": width, "height": WIDTHS[width]}, locale="ko-KR", timezone_id="Asia/Seoul"
    )


def dashboards(browser, base_url: str, out: Path) -> list[Path]:
    taken = []
    for role, email in DASHBOARDS.items():
        for width in WIDTHS:
            context = _context(browser, width)
            page = context.new_page()
            _sign_in(page, base_url, email)
            page.goto(f"{base_url}/dashboard/")
            expect(page.locator(".dashboard-panel").first).to_be_visible()
            path = out / f"dashboard-{role}-{width}.png"
            page.screenshot(path=path, full_page=True)
            taken.append(path)
            context.close()
    return taken


def bid_confirmation(browser, base_url: str, out: Path) -> list[Path]:
    taken = []
    for width in WIDTHS:
        context = _context(browser, width)
        page = context.new_page()
        _sign_in(page, base_url, DASHBOARDS["supplier"])
        page.goto(f"{base_url}/tenders/?q={BID_TENDER}")
        page.get_by_role("link", name=re.compile(re.escape(BID_TENDER))).first.click()
        page.locator("a[href$='/bid/']").first.click()
        page.locator("#id_price").fill("287,450,000")
        for number in (5, 12):
            box = page.locator(f'input[name="reserve_picks"][value="{number}"]')
            page.locator(f'label[for="{box.get_attribute("id")}"]').click()
        page.locator("label[for=id_no_conflict_of_interest]").click()
        page.locator("label[for=id_no_collusion]").click()
        page.locator("#bid-form [type=submit]").click()
        confirm = page.locator("#bid-confirm")
        expect(confirm).to_be_visible()
        expect(page.locator("#confirm-words")).not_to_be_empty()
        confirm.scroll_into_view_if_needed()
        path = out / f"bid-confirmation-{width}.png"
        page.screenshot(path=path, full_page=width == 375)
        taken.append(path)
        context.close()  # never sealed nor submitted
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--only", choices=["dashboards", "bid"], help="take one set only")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base_url = args.base_url.rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        taken = []
        if args.only in (None, "dashboards"):
            taken += dashboards(browser, base_url, out)
        if args.only in (None, "bid"):
            taken += bid_confirmation(browser, base_url, out)
        browser.close()
    for path in taken:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
