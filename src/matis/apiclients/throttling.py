"""Rate limit per machine client: the client's own rate, or ``MATIS_API_RATE_CLIENT``."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from matis.apiclients.authentication import client_of


class ApiClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def allow_request(self, request, view):
        client = client_of(request)
        if client is None:
            return True  # people are limited by the user and anonymous throttles
        self.rate = client.rate or self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        client = client_of(request)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
