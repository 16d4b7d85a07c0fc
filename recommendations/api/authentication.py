"""API authentication: DRF's token authentication, refused while django-axes has locked the
token's user out after repeated failed sign-ins.

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
from rest_framework import authentication, exceptions

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
    """``Authorization: Token <key>``; one query, the lock checked in it."""

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
