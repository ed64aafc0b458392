"""The public URLconf: pages under /public/, SDMX REST under /sdmx/rest/.

Nothing from cases, returns or justice is included here. The publisher's
signed-in release calendar is a separate URLconf (``publishing/urls.py``).
"""

from django.urls import path

from matis.publication import views

app_name = "public"
urlpatterns = [
    path("public/", views.index, name="index"),
    path("public/catalog.jsonld", views.catalog, name="catalog"),
    path("public/statistics/<slug:dataset>/", views.dataset, name="dataset"),
    path("public/statistics/<slug:dataset>/v<int:version>/", views.dataset, name="dataset_version"),
    path(
        "public/statistics/<slug:dataset>/v<int:version>/download/",
        views.download,
        name="download",
    ),
    path("public/reports/", views.reports, name="reports"),
    path("public/reports/<int:pk>.<str:fmt>", views.report_file, name="report_file"),
    path("public/plan/", views.plan, name="plan"),
    path(
        "sdmx/rest/dataflow/<str:agency>/<str:flow>/<str:version>",
        views.sdmx_dataflow,
        name="sdmx_dataflow",
    ),
    path(
        "sdmx/rest/dataflow/<str:agency>/<str:flow>/<str:version>/",
        views.sdmx_dataflow,
    ),
    path("sdmx/rest/data/<str:flow_ref>/<str:key>", views.sdmx_data, name="sdmx_data"),
    path("sdmx/rest/data/<str:flow_ref>/<str:key>/", views.sdmx_data),
    path("sdmx/rest/data/<str:flow_ref>", views.sdmx_data),
]
