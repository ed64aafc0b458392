"""API for countries (reference) and agencies (country-scoped)."""

from rest_framework import serializers, viewsets

from matis.access.models import Agency
from matis.access.scoping import scope_queryset, scoped
from matis.common.models import Country


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["iso3", "iso2", "name", "is_commit_member"]


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "country", "org_type", "city", "is_active"]


@scoped("global", model=Country, lookup="iso3")
class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Country.objects.all()
    serializer_class = CountrySerializer
    lookup_field = "iso3"
    filterset_fields = ["is_commit_member"]


@scoped("country", model=Agency, lookup="pk")
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgencySerializer
    filterset_fields = ["country", "org_type"]
    queryset = Agency.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return scope_queryset(self.request.user, Agency.objects.select_related("country"))


def add_routes(router) -> None:
    router.register("countries", CountryViewSet, basename="country")
    router.register("agencies", AgencyViewSet, basename="agency")
