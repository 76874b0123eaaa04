"""Create a staff account in the Writer or Editor group, optionally with its byline.

The password comes from the NEWSROOM_STAFF_PASSWORD environment variable, from
a prompt (--prompt), or is made up and printed once.
"""

import getpass
import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.models import Author
from articles.permissions import EDITOR_GROUP, WRITER_GROUP, ensure_groups

PASSWORD_ENV = "NEWSROOM_STAFF_PASSWORD"
ROLES = {"writer": WRITER_GROUP, "editor": EDITOR_GROUP}


class Command(BaseCommand):
    help = "Create a writer or editor account that can sign in to the admin."

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, choices=ROLES, help="writer or editor.")
        parser.add_argument("--username", help="Sign-in name (default: the role's name).")
        parser.add_argument("--email", default="", help="E-mail address.")
        parser.add_argument(
            "--author",
            metavar="NAME",
            help="Link the account to the author with this name (created if missing), "
            "so the writer's byline and login are one person.",
        )
        parser.add_argument(
            "--prompt",
            action="store_true",
            help=f"Ask for the password instead of reading ${PASSWORD_ENV} or making one up.",
        )

    def handle(self, *args, role, username, email, author, prompt, verbosity, **options):
        self.verbosity = verbosity
        User = get_user_model()
        username = username or role
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named “{username}” already exists.")
        password, generated = self.get_password(prompt, username)
        with transaction.atomic():
            ensure_groups()
            user = User.objects.create_user(
                username=username, email=email, password=password, is_staff=True
            )
            user.groups.add(Group.objects.get(name=ROLES[role]))
            if author:
                self.link_author(user, author)
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Created {role} “{username}”."))
        if generated:
            # Shown once and never stored in clear.
            self.stdout.write(f"    password: {password}\nThis password is shown only once.")

    def get_password(self, prompt, username):
        if prompt:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords did not match.")
        elif os.environ.get(PASSWORD_ENV):
            password = os.environ[PASSWORD_ENV]
        else:
            return secrets.token_urlsafe(12), True
        try:
            validate_password(password, get_user_model()(username=username))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        return password, False

    def link_author(self, user, name):
        author = Author.objects.filter(name__iexact=name.strip()).first()
        if author is None:
            author = Author.objects.create(name=name.strip())
        elif author.user_id and author.user_id != user.pk:
            raise CommandError(f"The author “{author}” already belongs to another account.")
        author.user = user
        author.save(update_fields=["user"])
        if self.verbosity:
            self.stdout.write(f"Linked to the author “{author}”.")
