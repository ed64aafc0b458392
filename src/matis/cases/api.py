"""Read API for case records: the same gates as the pages (list and HTCDS-shaped detail)."""

from __future__ import annotations

from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from matis.access.audit import audit_list_read
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cases import gates, selectors
from matis.cases.export import case_to_htcds
from matis.cases.models import Case


class UsesCases(permissions.BasePermission):
    def has_permission(self, request, view):
        return has_perm(request.user, "cases.view_cases")


class CaseListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "reference", "status", "trafficking_status", "opened_on", "agency"]


@scoped("country", model=Case, lookup="pk")
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases the user may read. ``?q=`` searches names and document numbers (exact match)."""

    serializer_class = CaseListSerializer
    permission_classes = [permissions.IsAuthenticated, UsesCases]
    queryset = Case.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        filters = selectors.CaseFilters(
            query=self.request.query_params.get("q", "")[:200],
            status=self.request.query_params.get("status", ""),
        )
        return selectors.case_list(user=self.request.user, filters=filters)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = (
            response.data.get("results", response.data)
            if isinstance(response.data, dict)
            else response.data
        )
        # Like the list page: one row naming the cases shown, a search even when empty.
        audit_list_read(
            actor=request.user,
            object_type="cases.case",
            case_ids=[r["id"] for r in rows],
            purpose="api_list",
            search=bool(request.query_params.get("q")),
        )
        return response

    def retrieve(self, request, pk=None, *args, **kwargs):
        case = gates.access_case_by_id(request.user, pk, purpose="api")
        return Response(case_to_htcds(case))


def add_routes(router) -> None:
    router.register("cases", CaseViewSet, basename="case")
