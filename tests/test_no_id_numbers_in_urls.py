"""No ID number in any URL: every page of the project, rendered for the superuser (who sees
every record), is scanned for links, form actions and script-driven addresses carrying one;
every form that takes an ID number posts it."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.matrix import REGISTRY
from tongchou.members.id_numbers import contains_id_number
from tongchou.members.models import Member

URL_ATTRIBUTES = {"href", "action", "src", "formaction", "hx-get", "hx-post", "hx-put",
                  "hx-delete", "hx-patch", "data-tc-region-search"}  # fmt: skip


class Addresses(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value and (name in URL_ATTRIBUTES or name.endswith("-url")):
                self.urls.append((f"<{tag} {name}>", value))
        if tag == "form":
            self.forms.append({"method": (attrs.get("method") or "get").lower(), "inputs": []})
        elif tag in ("input", "textarea", "select") and self.forms:
            self.forms[-1]["inputs"].append(attrs)


def _pages():
    for name, entry in REGISTRY.items():
        for check in entry.checks:
            if check.method == "get" and not check.json and check.in_scope == 200:
                yield name, entry
                break


@pytest.mark.django_db
def test_no_page_puts_an_id_number_in_a_url(client, world):
    from tests.matrix_apps.mobility import _spell

    _spell(world, True)  # a mobile member, so the mobility pages list someone
    numbers = [m.id_number for m in Member.objects.all()]
    assert numbers
    client.force_login(world.root)
    problems, pages = [], 0
    for name, entry in _pages():
        url = reverse(name, kwargs=entry.kwargs(world, True))
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        parser = Addresses()
        parser.feed(response.content.decode())
        for where, value in parser.urls:
            if contains_id_number(value) or any(n in value for n in numbers):
                problems.append(f"{url}: {where} = {value}")
        for form in parser.forms:
            names = {i.get("name") or "" for i in form["inputs"]}
            takes_id = any("id_number" in n for n in names)
            if form["method"] == "get" and takes_id:
                problems.append(f"{url}: a GET form takes an ID number ({sorted(names)})")
            if form["method"] == "get" and "q" in names:
                box = next(i for i in form["inputs"] if i.get("name") == "q")
                label = box.get("placeholder") or ""
                if "身份证" in label and "data-tc-id-lookup" not in box:
                    problems.append(f"{url}: an ID number search box that would GET it")
    assert pages > 40, pages
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_member_search_box_posts_ids_and_the_noscript_form_too(client, world):
    client.force_login(world.admin_a)
    parser = Addresses()
    parser.feed(client.get(reverse("members:list")).content.decode())
    boxes = [i for f in parser.forms for i in f["inputs"] if i.get("name") == "q"]
    assert any("data-tc-id-lookup" in box for box in boxes)  # static/js/app.js posts an ID
    assert any(f["method"] == "post" for f in parser.forms if any(
        i.get("name") == "q" for i in f["inputs"]))  # fmt: skip
