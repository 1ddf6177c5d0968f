"""Rate limits of the doors anyone can knock on: the resident's no-account form per client
address, Open311 POSTs per API key; a 429 that loses nothing the resident typed."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from tongchou.core import crypto, ratelimit
from tongchou.service.models import Need, Open311Client

pytestmark = pytest.mark.django_db


def test_a_fixed_window_per_key():
    start = 7200.0 * 1000  # the start of an hour
    verdicts = [ratelimit.hit("t", "1.2.3.4", limit=2, now=start + i) for i in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert verdicts[2].retry_after == 3600 - 2
    assert ratelimit.hit("t", "5.6.7.8", limit=2, now=start).allowed  # another address
    assert ratelimit.hit("other", "1.2.3.4", limit=2, now=start).allowed  # another door
    assert ratelimit.hit("t", "1.2.3.4", limit=2, now=start + 3600).allowed  # the next hour
    assert ratelimit.hit("t", "1.2.3.4", limit=0, now=start).allowed  # 0: off


def _form(world, summary):
    return {
        "category": world.employment.pk,
        "organization": world.a.village.pk,
        "summary": summary,
        "description": "家里老人需要<人>照顾",
        "phone": "13811112222",
    }


def test_public_form_past_the_limit_answers_429_and_keeps_the_text(world, settings):
    settings.SERVICE_SUBMIT_PER_HOUR = 2
    c = Client(REMOTE_ADDR="203.0.113.7")
    # Forms with errors write nothing and are not counted.
    for _ in range(3):
        assert c.post("/service/submit/", {"summary": "x"}).status_code == 200
    for i in range(2):
        r = c.post("/service/submit/", _form(world, f"第{i}件事"))
        assert r.status_code == 200 and "查询码" in r.content.decode()
    r = c.post("/service/submit/", _form(world, "第三件事：想找工作"))
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    page = r.content.decode()
    assert "每小时最多提交2条" in page
    assert 'value="第三件事：想找工作"' in page and "家里老人需要&lt;人&gt;照顾" in page
    assert Need.objects.count() == 2
    # Another address is not held up.
    r = Client(REMOTE_ADDR="198.51.100.9").post("/service/submit/", _form(world, "另一户"))
    assert r.status_code == 200 and Need.objects.count() == 3


KEY, OTHER = "rate-key-abcdef", "rate-key-ghijkl"


def test_open311_posts_per_api_key(world, settings):
    settings.OPEN311_POSTS_PER_HOUR = 1
    for key, name in ((KEY, "12345热线"), (OTHER, "网格平台")):
        Open311Client.objects.create(
            name=name, key_hash=crypto.lookup_hash(key), key_prefix=key[:8],
            organization=world.a.street,
        )  # fmt: skip
    c = Client()
    body = {"service_code": "employment", "address_id": world.a.village.code, "description": "x"}
    assert c.post("/open311/v2/requests.json", {**body, "api_key": KEY}).status_code == 201
    r = c.post("/open311/v2/requests.json", {**body, "api_key": KEY})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    (error,) = json.loads(r.content)
    assert error["code"] == 429 and "1 requests per hour" in error["description"]
    r = c.post("/open311/v2/requests.xml", {**body, "api_key": KEY})
    root = ET.fromstring(r.content)
    assert r.status_code == 429 and root.tag == "errors"
    assert root.find("error/code").text == "429"
    # A forged key is still a 403; another client has its own budget.
    assert c.post("/open311/v2/requests.json", {**body, "api_key": "forged"}).status_code == 403
    assert c.post("/open311/v2/requests.json", {**body, "api_key": OTHER}).status_code == 201
    assert Need.objects.count() == 2
