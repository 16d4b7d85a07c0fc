"""API authentication: tokens as generated clients send them, refused while django-axes has
locked the token's user out after repeated failed sign-ins.

DRF's ``TokenAuthentication`` reads only ``Authorization: Token <key>`` and ignores any other
header, so a client that sends ``Bearer <key>`` (the default of openapi-python-client and most
generated clients) was served as anonymous: a 200 with only published data, instead of the drafts
the token's user may see, and no hint why. Here both prefixes are read, and an ``Authorization``
header that is not a token we know — another scheme, a malformed value, an unknown or revoked
key, an inactive or locked-out user — is a 401, never an anonymous request.

The lock counts failed password sign-ins (admin and browsable-API login) for a username from an
address. A token is a second way into the same account, so whoever is locked out may not carry on
with a token either until the lock is lifted: by time (``AXES_COOLOFF_MINUTES``), by an
administrator deleting the attempt in the admin, or by ``manage.py axes_reset_username``.
"""

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

#: The prefixes accepted before the key, compared case-insensitively (RFC 9110: the scheme is).
TOKEN_PREFIXES = ("token", "bearer")

LOCKED_MESSAGE = (
    "This account is locked after repeated failed sign-ins; its tokens are refused until the lock is lifted."
)


def locked_out_attempts(username_ref):
    """The lockout records (django-axes' database handler) that lock ``username_ref`` out now."""
    attempts = AccessAttempt.objects.filter(
        username=username_ref, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` or ``Authorization: Bearer <key>``; anything else in that
    header is refused with a 401. One query, the lock checked in it."""

    def authenticate_header(self, request):
        return 'Bearer realm="api"'  # the WWW-Authenticate header of a 401

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header:
            return None  # no credentials: anonymous, or the session authentication's turn
        if header[0].lower().decode("latin-1") not in TOKEN_PREFIXES:
            raise exceptions.AuthenticationFailed(
                _("Unsupported authorization scheme: send “Authorization: Bearer <token>” (or “Token <token>”).")
            )
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: give the token after the prefix, with no spaces in it.")
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeError:
            message = _("Invalid token header: the token has invalid characters.")
            raise exceptions.AuthenticationFailed(message) from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key):
        model = self.get_model()
        locked = Exists(locked_out_attempts(OuterRef("user__username")))
        try:
            token = model.objects.select_related("user").annotate(locked=locked).get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if token.locked:
            raise exceptions.AuthenticationFailed(LOCKED_MESSAGE)
        return token.user, token


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """In the schema: an HTTP bearer scheme, which is how generated clients send a token."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token (`python manage.py drf_create_token <username>`), sent as "
                "`Authorization: Bearer <token>` or `Authorization: Token <token>`. A header with any other "
                "value, or an unknown token, is a 401."
            ),
        }
