"""manage.py desk_user USERNAME --role reviewer|editor [--email E] [--keep-password]

Create a desk user, or update one: staff, active, in exactly the role's desk group. The
password comes from the DESK_PASSWORD environment variable (then nothing is printed), or is
generated and printed as the last line, once. Either way it must pass Django's password
validators. Running it again for an existing user sets a new password unless --keep-password.
"""

import os
import secrets

from django.core.management.base import BaseCommand, CommandError

from reviews.desk_accounts import ROLE_GROUPS, DeskAccountError, desk_user_save

PASSWORD_VARIABLE = "DESK_PASSWORD"


class Command(BaseCommand):
    help = "Create or update a desk user (Reviewer or Editor group) and set their password."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLE_GROUPS))
        parser.add_argument("--email", default=None, help="Where assignment e-mail goes.")
        parser.add_argument(
            "--keep-password",
            action="store_true",
            help="For an existing user: change the role and e-mail only.",
        )

    def handle(self, *args, username: str, role: str, email, keep_password: bool, **options):
        given = os.environ.get(PASSWORD_VARIABLE)
        generated = None
        if keep_password:
            password = None
        elif given:
            password = given
        else:
            generated = password = secrets.token_urlsafe(18)
        try:
            outcome = desk_user_save(username=username, role=role, email=email, password=password)
        except DeskAccountError as exc:
            raise CommandError(str(exc)) from None
        done = "Created" if outcome.created else "Updated"
        self.stdout.write(f"{done} {role} {username} ({ROLE_GROUPS[role]} group, staff).")
        if given and not keep_password:
            self.stdout.write(f"Password set from {PASSWORD_VARIABLE}.")
        if generated:
            self.stdout.write("Generated password (shown once; it is not stored in clear):")
            self.stdout.write(generated)
