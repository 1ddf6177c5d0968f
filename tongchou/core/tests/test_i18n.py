"""The interface language: zh-Hans for everyone unless the person picks English with the switch.

The browser's Accept-Language never changes the page language (intranet machines often run
English-language browsers for Chinese users). The English catalogue must be complete and its
compiled .mo (committed: fresh machines may lack gettext) must match the .po.
"""

import datetime as dt
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token

from tongchou.core.tests.factories import OrganizationFactory, create_member
from tongchou.organizations.models import ChainLink, OrgKind, OrgStatus, OrgType, Sector
from tongchou.organizations.tests.world import build_world
from tongchou.regions.models import UrbanRural

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
ENGLISH_BROWSER = "en-US,en;q=0.9"
# Chinese labels of the navigation bar that must not survive a switch to English.
CHINESE_NAV = ["退出登录", "修改密码", ">组织<", ">党员<", ">区划<", "跳到正文", "统筹 · 城乡"]


@pytest.fixture(autouse=True)
def _reset_language(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    translation.deactivate()


@pytest.fixture
def world(db):
    return build_world()


def choose(client, language: str, next_url: str = "/") -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- choosing the language -------------------------------------------------------------------


@pytest.mark.django_db
def test_default_is_chinese_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    page = text(response)
    assert '<html lang="zh-hans">' in page
    assert "城乡统筹基层党建平台" in page and "登录" in page
    assert "Log in" not in page
    assert response["Content-Language"] == "zh-hans"
    assert "Cookie" in response["Vary"]
    assert "Accept-Language" not in response.get("Vary", "")


@pytest.mark.django_db
def test_unknown_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = text(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER))
    assert "城乡统筹基层党建平台" in page


@pytest.mark.django_db
def test_switch_renders_the_login_page_in_english(client):
    choose(client, "en", reverse("login"))
    response = client.get(reverse("login"))
    page = text(response)
    assert '<html lang="en">' in page
    assert response["Content-Language"] == "en"
    assert "Urban–rural integrated grassroots Party-building platform" in page
    assert "Log in" in page and "Username" in page and "Password" in page
    assert "登录" not in page and "城乡统筹" not in page
    # The switch itself: both choices offered, English marked as the current one.
    assert 'value="en" class="btn btn-sm btn-light" aria-pressed="true"' in page
    assert 'value="zh-hans" class="btn btn-sm btn-outline-light"' in page


def test_tree_in_english(client, world):
    client.force_login(world.superuser)
    choose(client, "en")
    page = text(client.get(reverse("organizations:tree"), HTTP_ACCEPT_LANGUAGE="zh-CN"))
    for english in (
        "Organization tree",
        "Click ▸ to expand subordinate organizations",
        ">Organizations<",
        ">Party members<",
        "Log out",
        "Change password",
        "Party Committee",
    ):
        assert english in page, english
    for chinese in CHINESE_NAV + ["组织树", "点击 ▸ 展开", "党委<"]:
        assert chinese not in page, chinese
    assert "石嘴山市委" in page  # data stays as entered


def test_organization_detail_in_english(client, world):
    client.force_login(world.superuser)
    choose(client, "en")
    page = text(client.get(reverse("organizations:detail", args=[world.joint.pk])))
    for english in (
        "Basic information",
        "Joint Party organization",
        "Lead organization",
        "Party Branch",
    ):
        assert english in page, english
    for chinese in CHINESE_NAV + ["基本信息", "牵头组织", "联合党组织", "（"]:
        assert chinese not in page, chinese


def test_organization_details_with_sector_links_and_dissolution_in_english(client, world):
    def branch(code, **kw):
        return OrganizationFactory(
            name=f"党支部{code}",
            code=code,
            kind=OrgKind.BRANCH,
            region=world.street_a_r,
            parent=world.street_a,
            urban_rural=UrbanRural.URBAN,
            **kw,
        )

    couriers = branch("F-1", org_type=OrgType.FUNCTIONAL, sector=Sector.COURIER)
    chain = branch(
        "I-1",
        org_type=OrgType.INDUSTRY_CHAIN,
        chain_links=[ChainLink.GROWING, ChainLink.PROCESSING],
    )
    gone = branch("D-1", status=OrgStatus.DISSOLVED, dissolved_on=dt.date(2024, 5, 6))
    client.force_login(world.superuser)
    choose(client, "en")
    expected = {
        couriers: "Functional Party organization (Couriers)",
        chain: "Growing and breeding, Processing",
        gone: "Dissolved (2024-05-06)",
    }
    for org, english in expected.items():
        page = text(client.get(reverse("organizations:detail", args=[org.pk])))
        assert english in page, english
        assert "（" not in page and "、" not in page
    choose(client, "zh-hans")
    for org, chinese in {couriers: "功能型党组织（快递员）", chain: "种植养殖、加工"}.items():
        assert chinese in text(client.get(reverse("organizations:detail", args=[org.pk])))


def test_member_list_in_english(client, world):
    create_member(world.village_a, name="李四")
    client.force_login(world.admin_a)
    choose(client, "en")
    page = text(client.get(reverse("members:list")))
    for english in (
        "1 Party member",
        "Date of birth",
        "ID number",
        "Full member",
        "Male",
        "Export to Excel",
        "Filter Party members",
    ):
        assert english in page, english
    for chinese in CHINESE_NAV + ["出生日期", "身份证号", "正式党员", "导出Excel", "共 1 名党员"]:
        assert chinese not in page, chinese
    assert "李四" in page


def test_account_page_in_english(client, world):
    """One Chinese word may need two English ones: 撤销 a role is "Revoke" (pgettext "role"),
    not the "Dissolve" of an organization; the role form asks for one "Organization"."""
    client.force_login(world.admin_a)
    choose(client, "en")
    page = text(client.get(reverse("accounts:detail", args=[world.secretary.pk])))
    for english in (
        "Accounts and roles",
        "Reset password",
        ">Revoke<",
        ">Organization <",
        "Manage",
    ):
        assert english in page, english
    for chinese in CHINESE_NAV + ["账号与角色", "重置密码", "撤销", "Dissolve"]:
        assert chinese not in page, chinese


def test_switching_back_to_chinese(client, world):
    client.force_login(world.superuser)
    choose(client, "en")
    assert "Organization tree" in text(client.get(reverse("organizations:tree")))
    choose(client, "zh-hans")
    response = client.get(reverse("organizations:tree"), HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    page = text(response)
    assert response["Content-Language"] == "zh-hans"
    assert "组织树" in page and "退出登录" in page
    assert "Organization tree" not in page and "Log out" not in page


# --- the API ---------------------------------------------------------------------------------


def api_missing(client, query: str = "", **headers):
    response = client.get(f"/api/organizations/999999999/{query}", **headers)
    assert response.status_code == 404
    return response


def test_api_is_chinese_by_default_even_for_an_english_browser(client, world):
    client.force_login(world.superuser)
    response = api_missing(client, HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    assert response.json()["message"] == "未找到。"
    assert "Cookie" in response["Vary"]


def test_api_follows_the_switch_and_an_explicit_lang(client, world):
    client.force_login(world.superuser)
    assert api_missing(client, "?lang=en").json()["message"] == "Not found."
    choose(client, "en")
    response = api_missing(client)
    assert response.json()["message"] == "Not found."
    assert response["Content-Language"] == "en"
    assert api_missing(client, "?lang=zh-hans").json()["message"] == "未找到。"


def test_api_token_clients_may_use_accept_language(client, world):
    token = Token.objects.create(user=world.superuser)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    english = api_missing(client, HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER, **auth)
    assert english.json()["message"] == "Not found."
    assert "Accept-Language" in english["Vary"]
    assert api_missing(client, **auth).json()["message"] == "未找到。"
    assert api_missing(client, HTTP_ACCEPT_LANGUAGE="de, *", **auth).json()["message"] == "未找到。"


# --- the catalogue ---------------------------------------------------------------------------


def _unquote(quoted: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], quoted[1:-1])


PO_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: {"msgid": ..., "msgid_plural": ..., "msgstr[0]": ..., "fuzzy": bool}.

    Obsolete entries (``#~``) are skipped; the header (empty msgid) is included."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry: dict = {"fuzzy": False}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["fuzzy"] |= "fuzzy" in line
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and key:
                entry[key] += _unquote(line)
            elif match := re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line
            ):
                key = match.group(1)
                entry[key] = _unquote(match.group(2))
        if "msgid" in entry:
            entries.append(entry)
    return entries


def catalogue() -> list[dict]:
    return [e for e in parse_po(PO_PATH) if e["msgid"]]


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def test_english_catalogue_is_complete():
    entries = catalogue()
    assert len(entries) > 400
    missing = [
        e["msgid"]
        for e in entries
        if e["fuzzy"] or any(not v for k, v in e.items() if k.startswith("msgstr"))
    ]
    assert not missing, f"{len(missing)} untranslated or fuzzy entries, e.g. {missing[:5]}"
    wrong = [
        e["msgid"]
        for e in entries
        for k, v in e.items()
        if k.startswith("msgstr")
        and sorted(PLACEHOLDER.findall(v)) != sorted(PLACEHOLDER.findall(e["msgid"]))
    ]
    assert not wrong, f"placeholders differ from the source: {wrong[:5]}"


def test_compiled_catalogue_matches_the_po():
    with MO_PATH.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for e in catalogue():
        if "msgctxt" in e:
            got = compiled.pgettext(e["msgctxt"], e["msgid"])
            want = e["msgstr"]
        elif "msgid_plural" in e:
            got = (
                compiled.ngettext(e["msgid"], e["msgid_plural"], 1),
                compiled.ngettext(e["msgid"], e["msgid_plural"], 2),
            )
            want = (e["msgstr[0]"], e["msgstr[1]"])
        else:
            got, want = compiled.gettext(e["msgid"]), e["msgstr"]
        if got != want:
            stale.append(e["msgid"])
    assert not stale, (
        f"django.mo is older than django.po ({len(stale)} entries differ, e.g. {stale[:3]}): "
        "run manage.py compilemessages and commit the .mo"
    )
