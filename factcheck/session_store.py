"""Django's database sessions, ignoring a session cookie Django could not have issued.

Django reads the cookie's value with the cookie module's unquoting, so the printable header
`Cookie: sessionid="abcdefgh\\000"` carries a NUL character into the session lookup, which
PostgreSQL refuses with an error: every page and API call that asks who the visitor is would
answer 500. Django makes its keys from lowercase letters and digits only (VALID_KEY_CHARS);
any other key is treated as no session at all, as an unknown key already is.

Used as SESSION_ENGINE = "factcheck.session_store".
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        return bool(super()._validate_session_key(key)) and set(key) <= set(VALID_KEY_CHARS)
