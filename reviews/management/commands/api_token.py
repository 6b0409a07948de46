"""manage.py api_token USERNAME [--rotate]: print a desk member's API token as the last line.

Integrations send it as "Authorization: Token <token>". The token is created the first time;
later runs print the same one, and --rotate replaces it (the old one stops working).
"""

from django.core.management.base import BaseCommand, CommandError

from reviews.desk_accounts import DeskAccountError, api_token_issue


class Command(BaseCommand):
    help = "Print a desk member's REST API token (the last line), creating it if needed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--rotate", action="store_true", help="Replace the token; the old one stops working."
        )

    def handle(self, *args, username: str, rotate: bool, **options):
        try:
            token = api_token_issue(username=username, rotate=rotate)
        except DeskAccountError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"API token of {username}; send it as: Authorization: Token <token>")
        self.stdout.write(token.key)
