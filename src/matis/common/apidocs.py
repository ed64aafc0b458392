"""The API documentation pages (Swagger UI, Redoc) under MATIS's content security policy.

Swagger UI is served from the vendored ``drf-spectacular-sidecar`` assets (no CDN).
Scripts stay ``'self'`` only: its start-up script is served as a file of its own
(``SpectacularSwaggerSplitView``). Swagger UI sets inline styles, so this page - and
only it - allows ``style-src 'unsafe-inline'``.

Redoc is not offered: its bundle loads its logo from ``cdn.redoc.ly`` whatever the
options (an air-gapped deployment must not reach out), so ``/api/redoc/`` leads to
the Swagger UI page.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView

DOCS_CSP = {"style-src": ["'unsafe-inline'"]}


@method_decorator(csp_update(DOCS_CSP), name="dispatch")
class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI: the operation list, tried from the browser with the user's session."""
