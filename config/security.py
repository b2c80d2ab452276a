"""Security headers Django 5.2 does not set itself: Content-Security-Policy and Permissions-Policy.

The policy allows scripts only from this site's own static files: no inline script element, no on*= attribute, no
eval, no CDN (tests/test_security_headers.py checks every template for inline script). Styles may be inline
(style= attributes), because progress bars and server-drawn SVG charts take their widths from the data; a style
cannot run code. Frames are refused (with X-Frame-Options: DENY for old browsers), and forms post only here.
"""

from django.conf import settings


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
