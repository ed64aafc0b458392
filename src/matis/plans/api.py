"""Read-only API for the plan registry under /api/v1/plans/."""

from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from matis.access.scoping import scoped
from matis.plans.models import (
    Activity,
    Area,
    EvolutionRow,
    Goal,
    GuidingPrinciple,
    MouArticle,
    Plan,
    RoleFunction,
)


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["code", "name_en", "name_th", "start_year", "end_year", "unit_kind", "adopted_en"]


class MouArticleSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.code")

    class Meta:
        model = MouArticle
        fields = ["number", "section", "text_en", "text_th", "note_en"]


class GoalSerializer(serializers.ModelSerializer):
    area = serializers.IntegerField(source="area.number")

    class Meta:
        model = Goal
        fields = ["code", "area", "text_en", "text_th", "note_en"]


class ActivitySerializer(serializers.ModelSerializer):
    area = serializers.IntegerField(source="area.number")
    goals = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "code",
            "slug",
            "area",
            "number",
            "priority",
            "goals",
            "source_goal_tag",
            "title_en",
            "title_th",
            "description_en",
            "description_th",
            "note_en",
        ]


class AreaSerializer(serializers.ModelSerializer):
    mou_section = serializers.CharField(source="mou_section.code")
    mou_objectives = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    goals = GoalSerializer(many=True, read_only=True)
    activities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Area
        fields = [
            "number",
            "code",
            "title_en",
            "title_th",
            "summary_en",
            "summary_th",
            "mou_section",
            "mou_objectives",
            "goals",
            "activities",
        ]


class PrincipleSerializer(serializers.ModelSerializer):
    class Meta:
        model = GuidingPrinciple
        fields = ["number", "text_en", "text_th"]


class RoleFunctionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoleFunction
        fields = [
            "code",
            "function_en",
            "function_th",
            "government",
            "secretariat",
            "ngo",
            "private",
        ]


class EvolutionSerializer(serializers.ModelSerializer):
    spa1 = serializers.CharField(source="spa1.code", default=None)
    spa1r = serializers.CharField(source="spa1r.code", default=None)
    spa2 = serializers.CharField(source="spa2.code", default=None)
    spa3 = serializers.CharField(source="spa3.code", default=None)
    mou_section = serializers.CharField(source="mou_section.code", default=None)

    class Meta:
        model = EvolutionRow
        fields = ["order", "spa1", "spa1r", "spa2", "spa3", "mou_section", "note_en"]


@scoped("global", model=Plan, lookup="code")
class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    lookup_field = "code"


@scoped("global", model=MouArticle, lookup="number")
class MouArticleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = MouArticle.objects.select_related("section")
    serializer_class = MouArticleSerializer
    lookup_field = "number"


@scoped("global", model=Area, lookup="number")
class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Area.objects.select_related("mou_section").prefetch_related(
        "mou_objectives",
        Prefetch("goals", queryset=Goal.objects.select_related("area")),
        "activities",
    )
    serializer_class = AreaSerializer
    lookup_field = "number"


@scoped("global", model=Goal, lookup="code")
class GoalViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Goal.objects.select_related("area")
    serializer_class = GoalSerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9]+\.[0-9]+"


@scoped("global", model=Activity, lookup="slug")
class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Activity.objects.select_related("area").prefetch_related("goals")
    serializer_class = ActivitySerializer
    lookup_field = "slug"
    filterset_fields = ["priority"]


@scoped("global", model=GuidingPrinciple, lookup="number")
class PrincipleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = GuidingPrinciple.objects.all()
    serializer_class = PrincipleSerializer
    lookup_field = "number"


@scoped("global", model=RoleFunction, lookup="code")
class RoleFunctionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = RoleFunction.objects.all()
    serializer_class = RoleFunctionSerializer
    lookup_field = "code"


@scoped("global", model=EvolutionRow, lookup="order")
class EvolutionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = EvolutionRow.objects.select_related("spa1", "spa1r", "spa2", "spa3", "mou_section")
    serializer_class = EvolutionSerializer
    lookup_field = "order"


def add_routes(router) -> None:
    router.register("plans", PlanViewSet, basename="plan")
    router.register("mou-articles", MouArticleViewSet, basename="mou-article")
    router.register("areas", AreaViewSet, basename="area")
    router.register("goals", GoalViewSet, basename="goal")
    router.register("activities", ActivityViewSet, basename="activity")
    router.register("principles", PrincipleViewSet, basename="principle")
    router.register("roles-matrix", RoleFunctionViewSet, basename="role-function")
    router.register("evolution", EvolutionViewSet, basename="evolution")
