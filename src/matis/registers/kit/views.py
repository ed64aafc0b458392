"""Pages for every register, built from its spec: list (filters, chart, Excel), detail, edit,
delete and Excel import. Each view declares its scope for the authorisation tests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.common.files import upload_limit
from matis.common.importing import ImportRejected
from matis.common.tables import download_response
from matis.common.views import add_service_error
from matis.registers import selectors
from matis.registers.kit import display
from matis.registers.kit.charts import chart_data, chart_spec
from matis.registers.kit.excel import (
    export_workbook,
    import_workbook,
)
from matis.registers.kit.forms import ImportForm, child_formsets, form_class
from matis.registers.kit.specs import Register


def get_row(spec: Register, user, pk: int):
    """One row the user may see; the same 404 for "missing" and "not yours"."""
    try:
        return selectors.visible_rows(spec, user).get(pk=pk)
    except spec.model.DoesNotExist:
        raise Http404 from None


def _detail_rows(spec: Register, obj) -> list[tuple[str, str]]:
    names = ["ref", "country", *spec.fields]
    rows = [(display.field_label(spec.model, n), display.field_value(obj, n)) for n in names]
    context = {"today": timezone.localdate()}
    rows += [(str(c.label), display.cell(obj, c, context)) for c in spec.detail_columns]
    return rows


def _child_tables(spec: Register, obj) -> list[dict]:
    tables = []
    for child in spec.children:
        related_name = child.model._meta.get_field(child.fk).remote_field.related_name
        rows = getattr(obj, related_name).all()
        tables.append(
            {
                "title": child.model._meta.verbose_name_plural,
                "sheet": child.sheet,
                "headers": [
                    (display.field_label(child.model, f), display.is_numeric(child.model, f))
                    for f in child.fields
                ],
                "rows": [
                    [
                        (display.field_value(r, f), display.is_numeric(child.model, f))
                        for f in child.fields
                    ]
                    for r in rows
                ],
            }
        )
    return tables


def make_views(spec: Register) -> dict:
    """The page views of one register, keyed by action."""
    model = spec.model

    @scoped("country", model=model)
    @login_required
    @require_GET
    def list_view(request):
        today = timezone.localdate()
        rows = selectors.filtered_rows(spec, request.user, request.GET, today=today)
        if request.GET.get("export") == "xlsx":
            data = export_workbook(spec, rows, actor=request.user)
            return download_response(data, f"matis-{spec.key}-{today:%Y%m%d}.xlsx")
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        context = {"today": today}
        columns = list(spec.list_columns)
        data = chart_data(spec, rows)
        query = request.GET.copy()
        query.pop("page", None)
        query["export"] = "xlsx"
        return render(
            request,
            "registers/list.html",
            {
                "spec": spec,
                "page": page,
                "headers": [
                    (display.column_label(model, c), display.is_numeric(model, c)) for c in columns
                ],
                "rows": [
                    (
                        obj,
                        [
                            (display.cell(obj, c, context), display.is_numeric(model, c))
                            for c in columns
                        ],
                    )
                    for obj in page
                ],
                "filters": selectors.filter_choices(spec),
                "years": selectors.years_of(spec, request.user),
                "countries": selectors.countries_of(request.user),
                "chart": chart_spec(spec, data) if data else None,
                "chart_rows": data,
                "export_query": query.urlencode(),
                "may_write": has_perm(request.user, "registers.add_record"),
            },
        )

    @scoped("country", model=model, lookup="pk")
    @login_required
    @require_GET
    def detail_view(request, pk: int):
        obj = get_row(spec, request.user, pk)
        return render(
            request,
            "registers/detail.html",
            {
                "spec": spec,
                "obj": obj,
                "rows": _detail_rows(spec, obj),
                "children": _child_tables(spec, obj),
                "may_write": has_perm(request.user, "registers.change_record", obj.country_id),
                "today": timezone.localdate(),
            },
        )

    def _edit(request, obj):
        from matis.registers.services import record_save

        Form = form_class(spec)
        creating = obj.pk is None
        if request.method == "POST":
            form = Form(request.POST, request.FILES, instance=obj, user=request.user)
            formsets = child_formsets(spec, user=request.user, instance=obj, data=request.POST)
            if form.is_valid() and all(f.is_valid() for f in formsets):
                try:
                    saved = record_save(actor=request.user, spec=spec, form=form, formsets=formsets)
                except ValidationError as exc:
                    if creating:  # the insert was rolled back
                        obj.pk = None
                        obj._state.adding = True
                    add_service_error(form, exc)
                else:
                    messages.success(request, _("Saved."))
                    return redirect(spec.url_name("detail"), pk=saved.pk)
        else:
            form = Form(instance=obj, user=request.user)
            formsets = child_formsets(spec, user=request.user, instance=obj)
        return render(
            request,
            "registers/form.html",
            {"spec": spec, "obj": obj, "form": form, "formsets": formsets},
        )

    @scoped("country", model=model)
    @login_required
    @require_http_methods(["GET", "POST"])
    def create_view(request):
        if not has_perm(request.user, "registers.add_record"):
            raise PermissionDenied
        return _edit(request, model())

    @scoped("country", model=model, lookup="pk")
    @login_required
    @require_http_methods(["GET", "POST"])
    def update_view(request, pk: int):
        obj = get_row(spec, request.user, pk)
        if not has_perm(request.user, "registers.change_record", obj.country_id):
            raise PermissionDenied
        return _edit(request, obj)

    @scoped("country", model=model, lookup="pk")
    @login_required
    @require_http_methods(["GET", "POST"])
    def delete_view(request, pk: int):
        from matis.registers.services import RecordInUse, record_delete

        obj = get_row(spec, request.user, pk)
        if not has_perm(request.user, "registers.change_record", obj.country_id):
            raise PermissionDenied
        if request.method == "POST":
            try:
                record_delete(actor=request.user, spec=spec, obj=obj)
            except RecordInUse as exc:
                messages.error(request, str(exc))
                return redirect(spec.url_name("detail"), pk=pk)
            messages.success(request, _("Deleted."))
            return redirect(spec.url_name("list"))
        return render(request, "registers/confirm_delete.html", {"spec": spec, "obj": obj})

    @scoped("country", model=model)
    @upload_limit(ImportForm.MAX_BYTES)
    @login_required
    @require_http_methods(["GET", "POST"])
    def import_view(request):
        if not has_perm(request.user, "registers.add_record"):
            raise PermissionDenied
        errors, result = [], None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["workbook"]
            try:
                result = import_workbook(spec, upload, actor=request.user, filename=upload.name)
            except ImportRejected as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                    % {
                        "created": result.total("created"),
                        "updated": result.total("updated"),
                        "unchanged": result.total("unchanged"),
                    },
                )
                return redirect(spec.url_name("list"))
        return render(
            request,
            "registers/import.html",
            {"spec": spec, "form": form, "errors": errors, "status": 400 if errors else 200},
            status=400 if errors else 200,
        )

    return {
        "list": list_view,
        "detail": detail_view,
        "create": create_view,
        "update": update_view,
        "delete": delete_view,
        "import": import_view,
    }


def register_urls(specs) -> list:
    from django.urls import path

    patterns = []
    for spec in specs:
        views = make_views(spec)
        k = spec.key
        patterns += [
            path(f"{k}/", views["list"], name=f"{k}_list"),
            path(f"{k}/new/", views["create"], name=f"{k}_create"),
            path(f"{k}/import/", views["import"], name=f"{k}_import"),
            path(f"{k}/<int:pk>/", views["detail"], name=f"{k}_detail"),
            path(f"{k}/<int:pk>/edit/", views["update"], name=f"{k}_update"),
            path(f"{k}/<int:pk>/delete/", views["delete"], name=f"{k}_delete"),
        ]
    return patterns
