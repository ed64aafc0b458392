"""The SPA III texts in all seven languages: every Area, goal, activity, principle, plan and
roles-matrix function has a Khmer, Lao, Burmese, Chinese and Vietnamese text; pages pick the
reader's language and fall back to English."""

import pytest
import yaml

from matis.common.i18n import local_text
from matis.plans.loader import default_registry_path
from matis.plans.translations import TRANSLATED_LANGUAGES, translation_table

REGISTRY = yaml.safe_load(default_registry_path().read_text(encoding="utf-8"))

EXPECTED = {
    ("plans", "name"): [p["code"] for p in REGISTRY["plans"]],
    ("principles", "text"): [p["number"] for p in REGISTRY["principles"]],
    ("roles", "function"): [r["code"] for r in REGISTRY["roles_matrix"]],
    ("areas", "title"): [a["code"] for a in REGISTRY["areas"]],
    ("goals", "text"): [g["code"] for a in REGISTRY["areas"] for g in a["goals"]],
    ("activities", "title"): [x["code"] for a in REGISTRY["areas"] for x in a["activities"]],
}


@pytest.mark.parametrize(("section", "field"), list(EXPECTED))
def test_every_registry_text_has_all_five_translations(section, field):
    table = translation_table()[section]
    keys = EXPECTED[(section, field)]
    assert keys, section
    assert set(table) == set(keys), f"{section}: keys differ from spa3.yaml"
    for key in keys:
        texts = table[key][field]
        missing = [lang for lang in TRANSLATED_LANGUAGES if not str(texts.get(lang, "")).strip()]
        assert not missing, f"{section} {key}: no {field} in {missing}"
        assert len(set(texts.values())) == len(texts), f"{section} {key}: two languages alike"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "th", *TRANSLATED_LANGUAGES])
def test_the_nine_priority_activities_are_named_in_the_readers_language(language):
    from matis.plans.models import Activity

    priority = list(Activity.objects.priority())
    assert len(priority) == 9
    for activity in priority:
        text = local_text(activity, "title", language)
        assert not text.is_fallback and text.language == language, (activity.code, language)
        if language != "en":
            assert text.text != activity.title_en


@pytest.mark.django_db
def test_unknown_language_falls_back_to_english():
    from matis.plans.models import Area

    area = Area.objects.get(code="P&C")
    text = local_text(area, "title", "fr")
    assert text.is_fallback and text.text == area.title_en
    assert local_text(area, "title", "en-us").text == area.title_en
    assert not local_text(area, "title", "en-us").is_fallback


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("lo", "ນະໂຍບາຍ ແລະ ການຮ່ວມມື"), ("zh-hans", "政策与合作"), ("vi", "Chính sách và hợp tác")],
)
def test_plan_overview_shows_areas_goals_and_principles_translated(user_client, language, expected):
    client = user_client("task_force_officer", "VNM")
    client.post("/i18n/setlang/", {"language": language})
    overview = client.get("/plan/").content.decode()
    assert expected in overview
    assert "Policy and cooperation" not in overview
    assert "Government ownership and leadership" not in overview  # principle 1
    area = client.get("/plan/areas/1/").content.decode()
    assert "Regional and national training programmes" not in area  # goal 1.2
