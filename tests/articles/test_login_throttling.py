"""Guessing passwords: a few wrong ones lock that account out from that address,
and the login page says what happened."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


@pytest.fixture
def editor():
    return get_user_model().objects.create_user(
        "mara", password="right-password-123", is_staff=True
    )


def attempt(client, password, username="mara", address="203.0.113.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_five_wrong_passwords_lock_the_account_out_from_that_address(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "guess").status_code == 200  # the form, with its error
    locked = attempt(client, "guess")
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.content.decode()
    # Even the right password is refused while it lasts...
    assert attempt(client, "right-password-123").status_code == 429
    # ...from that address; the owner elsewhere still signs in.
    assert attempt(client, "right-password-123", address="198.51.100.2").status_code == 302


def test_other_accounts_from_the_same_address_are_not_locked_out(client, editor, settings):
    get_user_model().objects.create_user("teo", password="teo-password-456", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "guess")
    assert attempt(client, "teo-password-456", username="teo").status_code == 302


def test_a_successful_login_clears_earlier_failures(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "guess")
    assert attempt(client, "right-password-123").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "guess").status_code == 200
