"""Every link a page shows opens for the person it is shown to.

A page that links to something its viewer may not open (a training out of their scope, a list
their role does not reach, an organization a station's staff do not manage) answers 403 or 404
— a dead end the permission matrix cannot see, because each page on its own is right. So, for
each kind of person of the test world (``tests/world.build_busy_world``: a county admin, a
branch secretary, a member, a station's staff without a role, and the other county's admin
looking at the same cross-county spell and transfer), start from the home page and follow the
same-site GET links breadth-first, and every one must answer below 400.

Left out: signing out, Django's admin, the language switch, the API (its own tests), static
files and downloads (exports, PDFs, spreadsheets, attachments). One URL per shape (digits
replaced), at most ``PAGES`` pages per person, to stay fast.
"""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from tests.world import build_busy_world

pytestmark = pytest.mark.django_db

PAGES = 150
SKIP = re.compile(
    r"^/(logout|admin|i18n|api|static|media)(/|$)"  # not pages of the app, or signing out
    r"|/export/|/attachment/|\.(pdf|xlsx|xls|csv)$"  # downloads
)
SHAPE_DIGITS = re.compile(r"\d+")


class Links(HTMLParser):
    """The ``href`` of every ``<a>`` that is not a download."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag != "a":
            return
        attrs = dict(attrs)
        if "download" in attrs or not attrs.get("href"):
            return
        self.hrefs.append(attrs["href"])


def same_site(base: str, href: str) -> str | None:
    """The path and query ``href`` leads to from page ``base``, or None if it leaves the
    site, is only a fragment, or is not http."""
    href = href.strip()
    if not href or href.startswith("#") or re.match(r"^(mailto|tel|javascript):", href, re.I):
        return None
    target = urlsplit(urldefrag(urljoin(f"http://testserver{base}", href))[0])
    if target.scheme not in ("http", "https") or target.netloc != "testserver":
        return None
    return target.path + (f"?{target.query}" if target.query else "")


def shape(url: str) -> str:
    return SHAPE_DIGITS.sub("0", url)


def walk(client, user) -> tuple[list[tuple[str, str, int]], int]:
    """(url, the page linking to it, status) of every link answering 400 or more; pages
    opened."""
    client.force_login(user)
    queue = deque([("/", "(start)")])
    seen = {shape("/")}
    broken, opened = [], 0
    while queue and opened < PAGES:
        url, source = queue.popleft()
        try:
            response = client.get(url)
        except Exception as exc:  # noqa: BLE001 - a crash is a 500, reported with its page
            broken.append((url, source, f"500 {type(exc).__name__}: {exc}"))
            continue
        opened += 1
        if response.status_code >= 400:
            broken.append((url, source, response.status_code))
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            found = [response["Location"]]
        elif "text/html" in response.get("Content-Type", ""):
            parser = Links()
            parser.feed(response.content.decode())
            found = parser.hrefs
        else:
            continue
        for href in found:
            target = same_site(url, href)
            if target is None or SKIP.search(urlsplit(target).path):
                continue
            if shape(target) not in seen:
                seen.add(shape(target))
                queue.append((target, url))
    return broken, opened


PEOPLE = ["admin_a", "secretary_a", "member_a", "staff_a", "admin_b"]


@pytest.fixture
def busy(db):
    return build_busy_world()


@pytest.mark.parametrize("person", PEOPLE)
def test_every_link_opens_for_who_sees_it(client, busy, person):
    user = busy.staff_a if person == "staff_a" else getattr(busy.world, person)
    broken, opened = walk(client, user)
    assert opened > 5  # the walk went somewhere
    assert not broken, "\n".join(
        f"{status}  {url}  (linked from {src})" for url, src, status in broken
    )


def test_what_the_walk_follows():
    """Same-site links, relative ones resolved against their page, fragments dropped; not
    other sites, mail, scripts, downloads or the skipped parts of the site; one per shape."""
    parser = Links()
    parser.feed(
        '<a href="../2/?page=3#top">a</a><a href="https://example.org/">b</a>'
        '<a href="mailto:x@y.cn">c</a><a download href="/members/export/">d</a>'
        '<a href="#main">e</a><a>f</a><a href="/logout/">g</a>'
    )
    found = [same_site("/members/1/", h) for h in parser.hrefs]
    assert found == ["/members/2/?page=3", None, None, None, "/logout/"]
    assert SKIP.search("/logout/") and SKIP.search("/transfers/7/letter.pdf")
    assert SKIP.search("/life/report/export/") and not SKIP.search("/life/report/")
    assert shape("/members/12/?org=3") == shape("/members/4/?org=15") != shape("/members/")
