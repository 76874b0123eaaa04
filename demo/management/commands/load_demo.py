"""Load invented demo content, and a first editor account on an empty site.

The account is in the Editor group (not a superuser): it runs the newsroom,
not the server.

Idempotent: rows that already exist are left alone, so running it twice
changes nothing.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from articles.permissions import EDITOR_GROUP, ensure_groups
from demo.content import load_demo


class Command(BaseCommand):
    help = "Create demo sections, authors, credits and articles (only those missing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default="http://127.0.0.1:8000",
            help="Where the site will be served, for the sign-in address printed "
            "(make run passes its HOST and PORT).",
        )
        parser.add_argument(
            "--no-user",
            action="store_true",
            help="Do not create the demo editor account, even when no user exists.",
        )

    def handle(self, *args, no_user, site_url, verbosity, **options):
        result = load_demo()
        if verbosity:
            self.stdout.write(
                f"Demo content: {result.sections} sections, {result.authors} authors, "
                f"{result.credits} credits and {result.articles} articles created."
            )
        User = get_user_model()
        if no_user or User.objects.exists():
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username="editor", password=password, is_staff=True)
        ensure_groups()
        user.groups.add(Group.objects.get(name=EDITOR_GROUP))
        # Shown once and never stored in clear: the only copy is on this terminal.
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the demo account. Sign in at {site_url.rstrip('/')}/admin/ with\n"
                f"    username: editor\n    password: {password}\n"
                "This password is shown only once."
            )
        )
