from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from matis.access.scoping import scoped


@scoped("global")
@login_required
def home(request):
    return render(request, "home.html", {})


@scoped("global")
@require_GET
def health(request):
    """Liveness for load balancers and the demo launcher; says nothing about data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
