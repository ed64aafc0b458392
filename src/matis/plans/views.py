from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from matis.access.scoping import scoped
from matis.plans import selectors
from matis.plans.models import (
    Activity,
    Area,
    Goal,
    GuidingPrinciple,
    MouArticle,
    MouSection,
    Plan,
    RoleFunction,
    SourceDefect,
)


@scoped("global")
@login_required
def overview(request):
    areas = list(selectors.area_list_with_activities())
    return render(
        request,
        "plans/overview.html",
        {
            "plan": selectors.current_plan(),
            "areas": areas,
            "n_goals": Goal.objects.count(),
            "n_activities": sum(a.n_activities for a in areas),
            "n_priority": sum(a.n_priority for a in areas),
            "principles": GuidingPrinciple.objects.all(),
        },
    )


@scoped("global", model=Area, lookup="number")
@login_required
def area_detail(request, number: int):
    try:
        area = selectors.area_detail(number)
    except Area.DoesNotExist:
        raise Http404 from None
    return render(request, "plans/area_detail.html", {"area": area})


@scoped("global", model=Activity, lookup="slug")
@login_required
def activity_detail(request, slug: str):
    try:
        activity = selectors.activity_detail(slug)
    except Activity.DoesNotExist:
        raise Http404 from None
    return render(request, "plans/activity_detail.html", {"activity": activity})


@scoped("global")
@login_required
def evolution(request):
    return render(
        request,
        "plans/evolution.html",
        {"rows": selectors.evolution_rows(), "plans": Plan.objects.all()},
    )


@scoped("global")
@login_required
def roles_matrix(request):
    return render(request, "plans/roles.html", {"rows": RoleFunction.objects.all()})


@scoped("global")
@login_required
def mou(request):
    sections = MouSection.objects.prefetch_related("articles")
    return render(
        request,
        "plans/mou.html",
        {
            "sections": sections,
            "n_articles": MouArticle.objects.count(),
            "defects": SourceDefect.objects.all(),
        },
    )
