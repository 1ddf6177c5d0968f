"""In a real Chromium: the English interface holds its layout on a 1366×768 screen (the navigation
bar is one line, no label wraps, no page scrolls sideways), and a form sent after its page
expired gets back what was typed (never the ID number) once the person has signed in again."""

import pytest
from django.conf import settings

from tests.browser.session import login
from tests.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY_PAGES = [
    "/",
    "/orgs/",
    "/orgs/search/?q=%E6%9D%91",
    "/members/",
    "/members/new/",
    "/members/import/",
    "/transfers/",
    "/mobility/",
    "/mobility/stations/",
    "/life/",
    "/life/expectations/",
    "/life/report/",
    "/education/",
    "/education/records/",
    "/education/trainings/",
    "/regions/",
    "/audit/",
    "/password/",
]

MEASURE = """() => {
  const nav = document.querySelector('nav.tc-navbar');
  const links = [...nav.querySelectorAll('.nav-link, .navbar-brand, .tc-lang .btn')]
    .filter(el => el.offsetParent !== null);
  const lineHeight = Math.max(...links.map(el => el.getBoundingClientRect().height));
  return {
    navHeight: nav.getBoundingClientRect().height,
    tops: [...new Set(links.map(el => {
      const box = el.getBoundingClientRect();
      return Math.round(box.top + box.height / 2);
    }))],
    wrapped: links
      .filter(el => el.getClientRects().length > 1 || el.getBoundingClientRect().height > 44)
      .map(el => el.textContent.trim()),
    outside: links.filter(el => el.getBoundingClientRect().right > window.innerWidth)
                  .map(el => el.textContent.trim()),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    lineHeight,
  };
}"""


@pytest.fixture
def world():
    return build_world()


@pytest.mark.parametrize("username", ["root", "admin_a"])
def test_english_layout_holds_at_1366(page, live_server, world, username):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    login(page, username)
    for path in KEY_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == "en", path
        m = page.evaluate(MEASURE)
        assert not m["wrapped"], (path, m["wrapped"])
        assert not m["outside"], (path, m["outside"])
        assert len(m["tops"]) == 1 or max(m["tops"]) - min(m["tops"]) <= 4, (path, m["tops"])
        assert m["navHeight"] < 2 * m["lineHeight"] + 8, (path, m)
        assert m["scrollWidth"] <= m["innerWidth"], (path, m["scrollWidth"])


def test_a_form_sent_after_its_page_expired_comes_back_filled(page, live_server, world):
    login(page, "admin_a")
    page.goto("/members/new/")
    page.fill("input[name=name]", "草稿里的名字")
    page.fill("input[name=occupation]", "=不要当公式")
    page.fill("input[name=id_number]", "640202198503140011")
    # The session ends (and with it the page's token) while the form is open.
    page.context.clear_cookies()
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector("[data-tc-keep-drafts]")
    assert "页面已过期" in page.content()
    page.click("a[href^='/login/?next=']")
    page.fill("input[name=username]", "admin_a")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: url.endswith("/members/new/"))
    assert page.input_value("input[name=name]") == "草稿里的名字"
    assert page.input_value("input[name=occupation]") == "=不要当公式"
    assert page.input_value("input[name=id_number]") == ""  # never kept
    assert page.locator(".alert-info[role=status]").count() == 1
    stored = page.evaluate("() => JSON.stringify(Object.entries(sessionStorage))")
    assert "6402021985" not in stored and "草稿里的名字" not in stored  # used, then dropped
    # A later visit shows the empty form again.
    page.goto("/members/new/")
    assert page.input_value("input[name=name]") == ""
