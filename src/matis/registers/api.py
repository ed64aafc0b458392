"""Read API for every register under /api/v1/registers/<register>/, in the OpenAPI schema.

Rows come with their child rows (participants, reviews, ...) nested. Writes go
through the pages and the Excel import, where the services check and audit them.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from matis.access.scoping import scoped
from matis.registers import selectors
from matis.registers.kit.specs import Register, registers


def _child_serializer(child):
    meta = type("Meta", (), {"model": child.model, "fields": ["id", *child.fields]})
    return type(f"{child.model.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": meta})


@extend_schema_field(OpenApiTypes.OBJECT)
class StatusField(serializers.Field):
    """Computed flags: the review due date and overdue flag, a campaign's effect."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        today = timezone.localdate()
        out = {}
        if hasattr(obj, "review_due_on"):
            due = obj.review_due_on(obj.last_review_on)
            out.update(review_due_on=due, review_overdue=due is not None and due < today)
        if hasattr(obj, "effect"):
            effect = obj.effect()
            if effect is not None:
                out.update(
                    effect_difference=round(effect.difference, 6),
                    effect_ci_low=round(effect.ci_low, 6),
                    effect_ci_high=round(effect.ci_high, 6),
                    effect_verdict=effect.verdict,
                )
        if hasattr(obj, "is_overdue"):
            out["overdue"] = obj.is_overdue(today)
        return out


def _serializer(spec: Register):
    attrs = {}
    fields = ["id", "ref", "country", *spec.fields, "synthetic", "created_at", "updated_at"]
    for child in spec.children:
        related = child.model._meta.get_field(child.fk).remote_field.related_name
        attrs[related] = _child_serializer(child)(many=True, read_only=True)
        fields.append(related)
    if spec.file_field:
        fields += ["document_name", "document_type", "document_size"]
    if spec.key in {"agreements", "campaigns", "actions"}:
        attrs["status_flags"] = StatusField()
        fields.append("status_flags")
    attrs["Meta"] = type("Meta", (), {"model": spec.model, "fields": fields})
    return type(f"{spec.model.__name__}Serializer", (serializers.ModelSerializer,), attrs)


def _viewset(spec: Register):
    children = [
        child.model._meta.get_field(child.fk).remote_field.related_name for child in spec.children
    ]

    def get_queryset(self):
        qs = selectors.visible_rows(spec, self.request.user)
        return qs.prefetch_related(*children) if children else qs

    filters = ["country", *[f for f in spec.filters if "__" not in f]]
    viewset = type(
        f"{spec.model.__name__}ViewSet",
        (viewsets.ReadOnlyModelViewSet,),
        {
            "serializer_class": _serializer(spec),
            "queryset": spec.model.objects.none(),  # for the schema; requests use get_queryset
            "get_queryset": get_queryset,
            "filterset_fields": filters,
            "__doc__": f"{spec.model._meta.verbose_name_plural} (read only, country-scoped).",
        },
    )
    return scoped("country", model=spec.model, lookup="pk")(viewset)


def add_routes(router) -> None:
    for spec in registers():
        router.register(f"registers/{spec.key}", _viewset(spec), basename=f"register-{spec.key}")
