"""A screening with strong indicators prompts the next step: the identification decision."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from matis.cases import services

STRONG = {"deceived": True, "documents_withheld": True, "violence_or_threats": True}
POSSIBLE = {"deceived": True, "not_free_to_leave": True}


def _screen(world, case, answers):
    return services.screening_record(
        actor=world.worker,
        case=case,
        instrument="general",
        answers=answers,
        language="th",
        interpreter_present=False,
    )


def _decide_url(case):
    return reverse("cases:decide", args=[case.pk])


def _prompt(client, case) -> str:
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    start = html.find('class="panel next-step"')
    return "" if start < 0 else html[start : html.index("</section>", start)]


@pytest.mark.django_db
def test_a_strong_screening_prompts_the_identification_decision(client, world, register_case):
    case = register_case(world.worker)
    client.force_login(world.worker)
    assert _prompt(client, case) == ""  # not screened yet
    _screen(world, case, POSSIBLE)
    assert _prompt(client, case) == ""  # some indicators: assess further, no prompt
    assert _screen(world, case, STRONG).recommendation == "strong"
    prompt = _prompt(client, case)
    assert _decide_url(case) in prompt
    assert "Record the identification decision" in prompt
    # the decision page the prompt leads to opens
    assert client.get(_decide_url(case)).status_code == 200


@pytest.mark.django_db
def test_the_prompt_goes_once_the_decision_is_recorded(client, world, register_case):
    case = register_case(world.worker)
    _screen(world, case, STRONG)
    client.force_login(world.worker)
    assert _prompt(client, case)
    services.identification_decide(
        actor=world.worker,
        case=case,
        decision="PossibleVictimOfTrafficking",
        decision_org="NGO",
        guideline="tha-act-2008",
        language_informed="th",
        interpreter_present=False,
    )
    assert _prompt(client, case) == ""


@pytest.mark.django_db
def test_the_prompt_is_translated_and_only_for_those_who_may_decide(client, world, register_case):
    case = register_case(world.worker)
    _screen(world, case, STRONG)
    client.force_login(world.worker)
    client.post("/i18n/setlang/", {"language": "th"})
    prompt = _prompt(client, case)
    with translation.override("th"):
        thai = translation.gettext("Record the identification decision")
    assert thai != "Record the identification decision" and thai in prompt
    client.post("/i18n/setlang/", {"language": "en"})
    # a justice officer may read the case (or not) but may not record the decision
    client.force_login(world.justice)
    response = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert 'class="panel next-step"' not in response.content.decode()
