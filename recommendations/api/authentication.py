"""Token authentication as generated clients send it.

DRF's ``TokenAuthentication`` reads only ``Authorization: Token <key>`` and ignores any other
header, so a client that sends ``Bearer <key>`` (the default of openapi-python-client and most
generated clients) was served as anonymous: a 200 with only published data, instead of the drafts
the token's user may see, and no hint why. Here both prefixes are read, and an ``Authorization``
header that is not a token we know — another scheme, a malformed value, an unknown or revoked
key, an inactive user — is a 401, never an anonymous request.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

#: The prefixes accepted before the key, compared case-insensitively (RFC 9110: the scheme is).
TOKEN_PREFIXES = ("token", "bearer")


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` or ``Authorization: Bearer <key>``; anything else in that
    header is refused with a 401."""

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
