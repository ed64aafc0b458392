"""Root URLs. Each app brings its own ``urls.py`` (pages) and ``api.add_routes(router)`` (API)."""

from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from matis.common import views as common_views
from matis.common.apidocs import ApiDocsView
from matis.common.metrics import metrics_view

# (URL prefix, app module) for every app with pages and/or an API.
APPS_WITH_URLS = [
    ("", "matis.access"),
    ("plan/", "matis.plans"),
    ("statistics/", "matis.official_statistics"),
    ("monitoring/", "matis.monitoring"),
    ("reports/", "matis.reports"),
    ("cases/", "matis.cases"),
    ("offline/", "matis.offline"),
    ("intake/", "matis.intake"),
    ("registers/", "matis.registers"),
    ("analytics/", "matis.analytics"),
    ("returns/", "matis.returns"),
    ("justice/", "matis.justice"),
    ("exchange/", "matis.exchange"),
    ("cooperation/", "matis.cooperation"),
    ("inbox/", "matis.inbox"),
    ("api-clients/", "matis.apiclients"),
    ("", "matis.publication"),  # /public/ and /sdmx/rest/: no login, releases only
    ("publishing/", "matis.publication.publishing"),  # the publisher's release calendar
]

router = DefaultRouter()
for _prefix, module in APPS_WITH_URLS:
    try:
        api = import_module(f"{module}.api")
    except ModuleNotFoundError:
        continue
    api.add_routes(router)

urlpatterns = [
    path("", common_views.home, name="home"),
    path("health/", common_views.health, name="health"),
    # browsers ask for /favicon.ico on pages without a <link rel="icon"> (PDF, API docs)
    path("favicon.ico", common_views.favicon, name="favicon"),
    path("demo-status/<slug:label>/", common_views.demo_status, name="demo_status"),
    path("metrics/", metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    # OpenID Connect sign-in: answers 404 unless configured (matis.access.oidc)
    path("oidc/", include("matis.access.oidc")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedirectView.as_view(pattern_name="api-docs"), name="api-redoc"),
]
for prefix, module in APPS_WITH_URLS:
    urlpatterns.append(path(prefix, include(f"{module}.urls")))

admin.site.site_header = "MATIS administration"
admin.site.site_title = "MATIS"

handler404 = "django.views.defaults.page_not_found"
if not settings.DEBUG:
    handler500 = "matis.common.errors.server_error"
