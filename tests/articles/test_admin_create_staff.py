from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from articles.models import Author
from tests.factories import make_author

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    "role, group, editor", [("writer", "Writer", False), ("editor", "Editor", True)]
)
def test_creates_a_staff_account_in_its_group_with_a_random_password(role, group, editor):
    output = run("--role", role, "--username", "kim", "--email", "kim@example.org")
    user = get_user_model().objects.get(username="kim")
    password = output.split("password: ")[1].split()[0]
    assert len(password) >= 12 and user.check_password(password)
    assert user.is_staff and not user.is_superuser and user.email == "kim@example.org"
    assert list(user.groups.values_list("name", flat=True)) == [group]
    assert user.has_perm("articles.publish_article") is editor
    assert "shown only once" in output


def test_password_from_the_environment_is_not_printed(monkeypatch):
    monkeypatch.setenv("NEWSROOM_STAFF_PASSWORD", "harbour-lights-1987")
    output = run("--role", "editor")
    user = get_user_model().objects.get(username="editor")
    assert user.check_password("harbour-lights-1987")
    assert "harbour-lights-1987" not in output and "password:" not in output


def test_weak_password_from_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("NEWSROOM_STAFF_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        run("--role", "writer")
    assert not get_user_model().objects.exists()


def test_password_from_the_prompt(monkeypatch):
    answers = iter(["tidal-gauge-4471", "tidal-gauge-4471"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    run("--role", "writer", "--username", "ana", "--prompt")
    assert get_user_model().objects.get(username="ana").check_password("tidal-gauge-4471")


def test_links_an_existing_author_or_creates_one():
    existing = make_author(name="Mara Lindqvist")
    run("--role", "writer", "--username", "mara", "--author", "mara lindqvist")
    existing.refresh_from_db()
    assert existing.user.username == "mara"
    run("--role", "writer", "--username", "tevita", "--author", "Tevita Fonua")
    assert Author.objects.get(name="Tevita Fonua").user.username == "tevita"


def test_mistakes_are_command_errors():
    run("--role", "writer", "--username", "kim")
    with pytest.raises(CommandError, match="already exists"):
        run("--role", "editor", "--username", "kim")
    taken = make_author(name="Taken Person", user=get_user_model().objects.get(username="kim"))
    with pytest.raises(CommandError, match="belongs to another account"):
        run("--role", "writer", "--username", "new", "--author", taken.name)
    assert not get_user_model().objects.filter(username="new").exists()
