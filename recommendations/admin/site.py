"""What every admin page's template context gets on top of django-unfold's (its GLOBAL_CALLBACK)."""


def global_context(request):
    # Unfold writes its colours as an inline <style> block, which the Content-Security-Policy
    # refuses; tracker/static/tracker/admin.css declares the same variables as a file instead.
    return {"colors": {}}
