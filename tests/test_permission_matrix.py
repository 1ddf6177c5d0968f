"""Every URL × (anonymous, no role, in scope, out of scope). See tests/matrix.py."""

import io
import json
import zipfile

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix import (
    LOGIN,
    REGISTRY,
    SKIPPED_NAMES,
    SKIPPED_NAMESPACES,
    STATE_MODELS,
    Check,
)
from tongchou.core.models import AuditEvent
from tongchou.members.models import Member
from tongchou.organizations.models import Organization


def url_names(patterns=None, namespace: str = "", prefix: str = "") -> dict[str, str]:
    """Every named URL of the project (``namespace:name``) → its route, walking includes."""
    found: dict[str, str] = {}
    for item in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(item.pattern)
        if isinstance(item, URLResolver):
            if item.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            found.update(url_names(item.url_patterns, inner, route))
        elif isinstance(item, URLPattern):
            if item.name in SKIPPED_NAMES:
                continue
            found[f"{namespace}{item.name}" if item.name else f"<unnamed> {route}"] = route
    return found


def test_every_url_has_an_entry():
    names = url_names()
    missing = sorted(set(names) - set(REGISTRY))
    assert not missing, "URLs without a permission-matrix entry in tests/matrix.py: " + ", ".join(
        f"{n} ({names[n]})" for n in missing
    )


def test_no_stale_entries():
    stale = sorted(set(REGISTRY) - set(url_names()))
    assert not stale, f"tests/matrix.py has entries for URLs that no longer exist: {stale}"


def test_only_public_entries_let_anonymous_callers_in():
    for name, entry in REGISTRY.items():
        for check in entry.checks:
            if not entry.public:
                assert check.anonymous in (LOGIN, 401, 403, 405), name


CASES = [
    pytest.param(name, index, id=f"{name}-{check.method}{index or ''}")
    for name, entry in REGISTRY.items()
    for index, check in enumerate(entry.checks)
]


def _state():
    """What a refused request must not change."""
    return (
        AuditEvent.objects.count(),
        Organization.objects.count(),
        list(Organization.objects.order_by("pk").values_list("path", "status", "name")),
        list(Member.objects.order_by("pk").values_list("archived", "org_path", "name")),
        # The apps' own tables (tests/matrix_apps/*.STATE_MODELS): every row, every column.
        [list(model.objects.order_by("pk").values_list()) for model in STATE_MODELS],
    )


def _request(client, check: Check, url: str, body: dict):
    send = getattr(client, check.method)
    if check.method == "get":
        return send(url)
    if check.json:
        return send(url, json.dumps(body), content_type="application/json")
    return send(url, body)


def _text(response) -> str:
    """The body as text; for a spreadsheet (.xlsx is a zip), the text of its XML parts."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "".join(book.read(n).decode(errors="replace") for n in book.namelist())
    return data.decode(errors="replace")


def _outcome(response, expected) -> str | None:
    if expected == LOGIN:
        login = reverse("login")
        ok = response.status_code == 302 and response["Location"].startswith(login)
        got = f"{response.status_code} → {response.get('Location', '')}"
    else:
        ok = response.status_code == expected
        got = str(response.status_code)
    return None if ok else f"expected {expected}, got {got}"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "index"), CASES)
def test_matrix(client, world, name, index):
    entry = REGISTRY[name]
    check = entry.checks[index]
    users = {
        "anonymous": None,
        "no_role": world.norole,
        # Out of scope first: its request must change nothing the in-scope one relies on.
        "out_of_scope": getattr(world, check.user),
        "in_scope": getattr(world, check.user),
    }
    secrets = {
        value
        for m in Member.objects.all()
        for value in (m.id_number, m.phone, m.id_number[6:14])  # birth digits are masked too
    }
    problems = []
    for who, user in users.items():
        expected = getattr(check, who)
        if expected is None:
            continue
        in_scope = who != "out_of_scope"
        url = reverse(name, kwargs=entry.kwargs(world, in_scope))
        client.logout()
        if user is not None:
            client.force_login(user)
        before = _state() if who != "in_scope" else None
        response = _request(client, check, url, check.body(world, in_scope))
        problem = _outcome(response, expected)
        if problem:
            problems.append(f"{who}: {check.method.upper()} {url}: {problem}")
        if before is not None and response.status_code >= 300 and _state() != before:
            problems.append(f"{who}: {check.method.upper()} {url} was refused but wrote data")
        if not check.reveals:
            content = _text(response)
            shown = [secret for secret in secrets if secret in content]
            if shown:
                problems.append(f"{who}: {check.method.upper()} {url} shows unmasked {shown}")
    assert not problems, "\n".join(problems)
