"""The plan registry as the COMMIT SPA III source defines it."""

from pathlib import Path

import pytest
import yaml

from matis.plans.loader import RegistryError, default_registry_path, load_registry
from matis.plans.models import Activity, Area, Goal, MouArticle, MouSection, Plan, SourceDefect

pytestmark = pytest.mark.django_db

PRIORITY = {"P&C1", "P&C2", "CJ1", "CJ4", "PRO1", "PRO3", "PRO5", "PRE1", "PRE4"}


def test_mou_has_34_articles_in_5_sections():
    assert MouArticle.objects.count() == 34
    assert list(MouSection.objects.values_list("code", flat=True)) == ["I", "II", "III", "IV", "V"]
    ranges = {s.code: (s.first_article, s.last_article) for s in MouSection.objects.all()}
    assert ranges == {"I": (1, 6), "II": (7, 14), "III": (15, 21), "IV": (22, 27), "V": (28, 34)}
    for article in MouArticle.objects.select_related("section"):
        assert article.section.first_article <= article.number <= article.section.last_article
        assert article.text_en and article.text_th


def test_plans_and_their_units():
    counts = {p.code: p.units.count() for p in Plan.objects.all()}
    assert counts == {"SPA1": 12, "SPA1R": 10, "SPA2": 8, "SPA3": 5}
    spa3 = Plan.objects.get(code="SPA3")
    assert (spa3.start_year, spa3.end_year) == (2011, 2013)


def test_areas_goals_activities_and_priorities():
    assert Area.objects.count() == 5
    assert Goal.objects.count() == 24
    assert Activity.objects.count() == 30
    assert set(Activity.objects.priority().values_list("code", flat=True)) == PRIORITY
    per_area = {a.code: (a.goals.count(), a.activities.count()) for a in Area.objects.all()}
    assert per_area == {"P&C": (6, 6), "CJ": (4, 7), "PRO": (5, 7), "PRE": (5, 6), "M&E": (4, 4)}


def test_every_activity_links_to_existing_goals_of_its_area():
    for activity in Activity.objects.prefetch_related("goals"):
        goals = list(activity.goals.all())
        assert goals, activity.code
        assert all(g.area_id == activity.area_id for g in goals), activity.code


def test_every_item_has_thai_and_english_text():
    thai = range(0x0E00, 0x0E80)
    for activity in Activity.objects.all():
        assert activity.title_en
        assert any(ord(ch) in thai for ch in activity.title_th), activity.code
    for goal in Goal.objects.all():
        assert any(ord(ch) in thai for ch in goal.text_th), goal.code
    assert not Activity.objects.filter(title_th__contains="ค้ำ").exists()


def test_pro6_keeps_its_original_goal_tag_as_a_note():
    pro6 = Activity.objects.get(code="PRO6")
    assert pro6.source_goal_tag == "3.6"
    assert pro6.note_en
    assert [g.code for g in pro6.goals.all()] == ["3.4"]
    assert not Goal.objects.filter(code="3.6").exists()


def test_source_defects_are_carried_with_notes():
    assert SourceDefect.objects.count() >= 4
    texts = " ".join(SourceDefect.objects.values_list("note_en", flat=True)).lower()
    assert (
        "sumatra" in texts or SourceDefect.objects.filter(original_th__contains="สุมาตรา").exists()
    )
    goal_21 = Goal.objects.get(code="2.1")
    assert "ผู้บริโภค" not in goal_21.text_th


def test_m_and_e4_links_two_goals():
    me4 = Activity.objects.get(code="M&E4")
    assert sorted(g.code for g in me4.goals.all()) == ["5.3", "5.4"]
    assert me4.slug == "me4"


def test_second_load_changes_nothing():
    result = load_registry()
    assert result.unchanged
    forced = load_registry(force=True)
    assert (forced.created, forced.updated) == (0, 0)
    assert forced.counts["activities"] == 30


def test_bad_file_names_the_item_and_writes_nothing(tmp_path: Path):
    data = yaml.safe_load(default_registry_path().read_text())
    data["data_version"] = "broken"
    data["areas"][2]["activities"][0]["goals"] = ["9.9"]
    data["areas"][0]["activities"][0]["title_en"] = "CHANGED TITLE"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(RegistryError, match=r"activity PRO1: goal 9\.9"):
        load_registry(bad)
    assert not Activity.objects.filter(title_en="CHANGED TITLE").exists()


def test_changed_file_updates_in_place(tmp_path: Path):
    data = yaml.safe_load(default_registry_path().read_text())
    data["areas"][0]["activities"][0]["title_en"] = "Support to NPAs (revised wording)"
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = load_registry(changed)
    assert (result.created, result.updated) == (0, 1)
    assert Activity.objects.get(code="P&C1").title_en == "Support to NPAs (revised wording)"
    assert Activity.objects.count() == 30
