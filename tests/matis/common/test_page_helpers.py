"""The page helpers every app uses: require, run_form (with refusals), the country/year choice."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from matis.common.views import add_service_error, country_year_choice, require, run_form


class NameForm(forms.Form):
    name = forms.CharField()


class Refused(Exception):
    pass


def _request(method="get", data=None, user=None):
    request = getattr(RequestFactory(), method)("/x/", data or {})
    request.session = {}
    request._messages = FallbackStorage(request)
    request.user = user
    return request


def test_require_refuses_with_403():
    require(True)
    with pytest.raises(PermissionDenied):
        require(False)


def test_service_errors_go_on_the_fields_they_name():
    form = NameForm({"name": "x"})
    assert form.is_valid()
    add_service_error(form, ValidationError({"name": "taken", "other": "wrong"}))
    assert form.errors["name"] == ["taken"] and form.non_field_errors() == ["wrong"]
    form = NameForm({"name": "x"})
    form.is_valid()
    add_service_error(form, ValidationError("no"))
    assert form.non_field_errors() == ["no"]


@pytest.mark.django_db
def test_run_form_redirects_on_success_and_shows_refusals():
    done = []
    ok = run_form(
        _request("post", {"name": "x"}),
        NameForm({"name": "x"}),
        lambda f: done.append(f.cleaned_data["name"]),
        success="Saved.",
        redirect_to="/done/",
        template="cases/form.html",
    )
    assert ok.status_code == 302 and ok["Location"] == "/done/" and done == ["x"]

    def refuse(f):
        raise Refused

    refused = run_form(
        _request("post", {"name": "x"}),
        form := NameForm({"name": "x"}),
        refuse,
        success="Saved.",
        redirect_to="/done/",
        template="cases/form.html",
        refusals={Refused: lambda exc: "Refused here."},
    )
    assert refused.status_code == 400 and form.non_field_errors() == ["Refused here."]
    with pytest.raises(Refused):  # not a listed refusal: an error of ours, not the user's
        run_form(
            _request("post", {"name": "x"}),
            NameForm({"name": "x"}),
            refuse,
            success="Saved.",
            redirect_to="/done/",
            template="cases/form.html",
        )


def test_country_year_choice(make_user):
    this_year = dt.date.today().year
    region = make_user(role="secretariat_analyst", country=None)
    assert country_year_choice(_request(data={"country": "KHM", "year": "x"}, user=region))[:2] == (
        "KHM",
        this_year - 1,
    )
    assert country_year_choice(_request(data={"country": "FRA"}, user=region))[0] is None
    national = make_user(role="task_force_officer", country="THA")
    country, year, years = country_year_choice(
        _request(data={"country": "KHM", "year": str(this_year - 3)}, user=national)
    )
    assert (country, year) == ("THA", this_year - 3) and len(years) == 8
    assert country_year_choice(_request(data={"year": "1990"}, user=national))[1] == this_year - 1
