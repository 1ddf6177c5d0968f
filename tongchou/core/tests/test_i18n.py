"""The interface language: zh-Hans for everyone unless the person picks English with the switch.

The browser's Accept-Language never changes the page language (intranet machines often run
English-language browsers for Chinese users). The English catalogue must be complete and its
compiled .mo (committed: fresh machines may lack gettext) must match the .po.
"""

import ast
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


# --- every literal in the source is in the catalogue -----------------------------------------
#
# A subset check: the literal msgids written in the code and the templates (what makemessages
# would extract), each of which must have an entry in the English catalogue. It catches a string
# added after the catalogue was last regenerated. Only literals are checked: f-strings and
# messages built at run time are not (they cannot be translated anyway).

GETTEXT_FUNCTIONS = {
    # name: (index of the context argument or None, index of the msgid, index of the plural)
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
SOURCE_ROOT = Path(settings.BASE_DIR)


def _literal(args: list, index: int) -> str | bool:
    """The string literal at ``index``, else False (absent, a variable, an f-string, a
    concatenation with +)."""
    if index < len(args) and isinstance(args[index], ast.Constant):
        value = args[index].value
        return value if isinstance(value, str) else False
    return False


def python_msgids(source: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of each gettext call with literal arguments, under the names this
    module imports them as from django.utils.translation (``gettext as _`` and the like) or
    as ``translation.<function>``. Adjacent literals are one literal to the parser, so
    messages split over lines are found whole."""
    tree = ast.parse(source)
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in GETTEXT_FUNCTIONS:
                    names[alias.asname or alias.name] = alias.name
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name):
            function = names.get(node.func.id)
        elif isinstance(node.func, ast.Attribute) and node.func.attr in GETTEXT_FUNCTIONS:
            function = node.func.attr
        else:
            function = None
        if function is None:
            continue
        context_at, msgid_at, _plural_at = GETTEXT_FUNCTIONS[function]
        context = _literal(node.args, context_at) if context_at is not None else None
        msgid = _literal(node.args, msgid_at)
        if msgid and context is not False:
            found.add((context, msgid))
    return found


TEMPLATE_COMMENTS = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
TRANSLATE_TAG = re.compile(r"""{%\s*trans(?:late)?\s+("[^"]*"|'[^']*')(.*?)%}""", re.S)
BLOCK_TAG = re.compile(
    r"{%\s*blocktrans(?:late)?\b(.*?)%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S
)
CONTEXT_OPTION = re.compile(r"""\bcontext\s+("[^"]*"|'[^']*')""")
TEMPLATE_VARIABLE = re.compile(r"{{\s*(\w+)\s*}}")


def template_msgids(source: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of each ``{% translate "…" %}`` with a literal and each
    ``{% blocktranslate %}`` (its ``{{ n }}`` become ``%(n)s``, a literal % becomes %%, as
    makemessages writes them; with ``{% plural %}`` the singular is the msgid)."""
    source = TEMPLATE_COMMENTS.sub("", source)
    found = set()
    for match in TRANSLATE_TAG.finditer(source):
        context = CONTEXT_OPTION.search(match.group(2))
        found.add((context.group(1)[1:-1] if context else None, match.group(1)[1:-1]))
    for match in BLOCK_TAG.finditer(source):
        options, body = match.groups()
        singular = re.split(r"{%\s*plural\s*%}", body)[0]
        if "trimmed" in options.split():
            singular = " ".join(line.strip() for line in singular.splitlines() if line.strip())
        msgid = TEMPLATE_VARIABLE.sub(r"%(\1)s", singular.replace("%", "%%"))
        context = CONTEXT_OPTION.search(options)
        found.add((context.group(1)[1:-1] if context else None, msgid))
    return found


def source_msgids() -> dict[tuple[str | None, str], str]:
    """Every literal msgid of the project, with a file it appears in."""
    found = {}
    for path in sorted([*SOURCE_ROOT.glob("tongchou/**/*.py"), *SOURCE_ROOT.glob("config/*.py")]):
        if "migrations" in path.parts:
            continue
        for key in python_msgids(path.read_text(encoding="utf-8")):
            found.setdefault(key, str(path.relative_to(SOURCE_ROOT)))
    for path in sorted(
        [
            *SOURCE_ROOT.glob("templates/**/*.html"),
            *SOURCE_ROOT.glob("tongchou/**/templates/**/*.html"),
        ]
    ):
        for key in template_msgids(path.read_text(encoding="utf-8")):
            found.setdefault(key, str(path.relative_to(SOURCE_ROOT)))
    return found


def test_the_extraction_finds_literals_and_leaves_built_strings_alone():
    python = '''
from django.utils import translation
from django.utils.translation import gettext as _, pgettext_lazy, ngettext
a = _("一")
b = _(
    "长的"
    "消息"
)
c = pgettext_lazy("role", "撤销")
d = ngettext("%(n)s 人", "%(n)s 人", n)
e = translation.gettext("四")
f = _(f"{name}不算")
g = _("不" + "算")
h = _(variable)
"""_("文档里的不算")"""
'''
    assert python_msgids(python) == {
        (None, "一"),
        (None, "长的消息"),
        ("role", "撤销"),
        (None, "%(n)s 人"),
        (None, "四"),
    }
    assert python_msgids("_('没有导入 gettext 的 _ 不算')") == set()
    template = """{% load i18n %}{# {% translate "注释里的不算" %} #}
<a title="{% translate '单引号' %}">{% translate "双引号" %}</a>
{% translate "撤销" context "role" %}
{% translate "标签" as tail %}{% translate some_variable %}
{% blocktranslate with n=total %}共 {{ n }} 人，100%{% endblocktranslate %}
{% blocktranslate count n=count %}{{ n }} 个{% plural %}{{ n }} 个{% endblocktranslate %}"""
    assert template_msgids(template) == {
        (None, "单引号"),
        (None, "双引号"),
        ("role", "撤销"),
        (None, "标签"),
        (None, "共 %(n)s 人，100%%"),
        (None, "%(n)s 个"),
    }


def test_every_literal_msgid_of_the_source_is_in_the_catalogue():
    """A string added to the code or a template after the catalogue was last regenerated:
    run ``manage.py makemessages -l en --no-obsolete``, translate, compile."""
    found = source_msgids()
    assert len(found) > 1000  # the extraction itself works (there are well over a thousand)
    known = {(e.get("msgctxt"), e["msgid"]) for e in catalogue()}
    missing = sorted(
        f"{where}: {msgid!r}" + (f" (context {context!r})" if context else "")
        for (context, msgid), where in found.items()
        if (context, msgid) not in known
    )
    assert not missing, (
        f"{len(missing)} source strings are not in the English catalogue "
        f"(run makemessages and translate them): {missing[:10]}"
    )
