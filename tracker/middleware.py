"""Site-wide response policies that no single view owns."""

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers


class ApiCachePolicyMiddleware:
    """Caching of API responses (``/api/``) by browsers and shared proxies.

        Every response varies on ``Authorization`` and ``Cookie``: a token or a session may see drafts,
        so a cache must never hand one client's answer to another. A public read (an anonymous GET or
        HEAD answered 200) may be cached for ``API_PUBLIC_CACHE_SECONDS``; what an authenticated user
        gets is ``private, no-store`` (it may include drafts), as is a response that sets a cookie
    (the login form's CSRF token); anything else (an error, a write) is
        ``no-store``. A view that sets its own ``Cache-Control`` keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/"):
            return response
        patch_vary_headers(response, ("Authorization", "Cookie"))
        if response.has_header("Cache-Control"):
            return response
        # DRF has set request.user by now when the view ran; a response that never reached a view
        # (an error) is not public anyway, so the lazy user is not evaluated for it.
        if response.status_code != 200 or request.method not in ("GET", "HEAD"):
            patch_cache_control(response, no_store=True)
        elif "HTTP_AUTHORIZATION" in request.META or response.cookies or request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        else:
            patch_cache_control(response, public=True, max_age=settings.API_PUBLIC_CACHE_SECONDS)
        return response
