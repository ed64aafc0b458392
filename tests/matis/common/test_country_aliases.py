"""Country names in every form map to ISO codes through the alias table (data, admin-editable)."""

from __future__ import annotations

import csv

import pytest

from matis.access.models import AuditAction, AuditLog
from matis.common.aliases import (
    CountryNames,
    alias_file_path,
    alias_key,
    country_aliases_load,
    read_alias_file,
)
from matis.common.models import COMMIT_COUNTRIES, CountryAlias
from matis.official_statistics.loader import data_path


def test_the_key_ignores_case_accents_punctuation_and_spacing():
    assert alias_key("Việt Nam") == alias_key("viet-nam") == alias_key(" VIETNAM ") == "vietnam"
    assert alias_key("Lao People’s Democratic Republic") == alias_key(
        "Lao People's Democratic Republic"
    )
    assert alias_key("Côte d'Ivoire") == alias_key("Cote dIvoire")
    assert alias_key("Вьетнам") == "вьетнам"
    # Marks of Thai, Lao, Khmer and Myanmar script are spelling, not accents.
    assert alias_key("ไทย") == "ไทย" and alias_key("ลาว") != alias_key("ลว")
    assert alias_key("--  ") == ""


def test_the_alias_file_is_well_formed_and_unambiguous():
    rows = read_alias_file()
    keys = [alias_key(r["alias"]) for r in rows]
    assert len(keys) == len(set(keys))  # one country per form
    assert len({r["iso3"] for r in rows}) >= 249


def test_the_file_covers_every_country_form_of_the_glotip_export():
    """Every country and citizenship the real export names resolves to the code it means."""
    by_key = {alias_key(r["alias"]): r["iso3"] for r in read_alias_file()}
    not_countries = {"Nationals", "Unknown", "Rohingya", "Abroad", "Domestic (Myanmar)", ""}
    with data_path("glotip_COMMIT6.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        assert by_key[alias_key(row["Country"])] == row["Iso3_code"], row["Country"]
    names = {
        r["Category"]
        for r in rows
        if r["Dimension"] in {"by citizenship", "by country of repatriation"}
    } - not_countries
    assert len(names) > 40
    unresolved = sorted(n for n in names if alias_key(n) not in by_key)
    assert unresolved == []


# Each COMMIT country in English (short, official, demonym, historical), the other
# UN languages and its own language; written out by hand, not read from the data.
COMMIT_FORMS = {
    "KHM": ["Cambodia", "Kingdom of Cambodia", "Cambodian", "Khmer", "Kampuchea",
            "Democratic Kampuchea", "Cambodge", "Camboya", "Камбоджа", "柬埔寨", "كمبوديا",
            "កម្ពុជា"],
    "CHN": ["China", "People's Republic of China", "Chinese", "Chine", "Китай", "中国",
            "الصين"],
    "LAO": ["Laos", "Lao PDR", "Lao People's Democratic Republic", "Lao", "Laotian",
            "République démocratique populaire lao", "Лаос", "老挝", "لاوس", "ລາວ"],
    "MMR": ["Myanmar", "Burma", "Burmese", "Republic of the Union of Myanmar", "Birmanie",
            "Мьянма", "缅甸", "ميانمار", "မြန်မာ"],
    "THA": ["Thailand", "Kingdom of Thailand", "Thai", "Siam", "Thaïlande", "Tailandia",
            "Таиланд", "泰国", "تايلند", "ไทย"],
    "VNM": ["Viet Nam", "Vietnam", "Việt Nam", "Vietnamese", "Socialist Republic of Viet Nam",
            "Viêt Nam", "Вьетнам", "越南", "فييت نام"],
}  # fmt: skip


@pytest.mark.django_db
def test_the_table_is_loaded_after_migrate_and_knows_every_commit_form():
    names = CountryNames.load()
    assert set(COMMIT_FORMS) == set(COMMIT_COUNTRIES)
    for iso3, forms in COMMIT_FORMS.items():
        for form in forms:
            assert names.resolve(form) == iso3, form
    assert names.resolve("Atlantis") is None
    assert any("(VNM)" in n for n in names.nearest("Vietnamm"))


@pytest.mark.django_db
def test_loading_is_idempotent_and_keeps_an_administrators_edits():
    n = CountryAlias.objects.count()
    assert n == len(read_alias_file())
    again = country_aliases_load()
    assert (again.created, again.updated) == (0, 0) and CountryAlias.objects.count() == n
    CountryAlias.objects.filter(key="burma").update(is_active=False, country_id="THA")
    country_aliases_load()
    kept = CountryAlias.objects.get(key="burma")
    assert (kept.is_active, kept.country_id) == (False, "THA")
    assert CountryNames.load().resolve("Burma") is None  # deactivated: no longer matches
    reset = country_aliases_load(update=True)
    assert reset.updated == 1 and CountryAlias.objects.get(key="burma").country_id == "MMR"
    assert AuditLog.objects.filter(
        action=AuditAction.IMPORT, object_type="common.countryalias"
    ).exists()


@pytest.mark.django_db
def test_an_administrator_adds_and_changes_an_alias_in_the_admin_audited(client, make_user):
    admin = make_user(role="administrator", country=None, is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/common/countryalias/?q=burma").status_code == 200
    response = client.post(
        "/admin/common/countryalias/add/",
        {"alias": "Myanmarese", "country": "MMR", "language": "en", "kind": "variant",
         "source": "seen in a ministry file", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    alias = CountryAlias.objects.get(key="myanmarese")
    created = AuditLog.objects.get(action=AuditAction.RECORD_CREATE, object_id=str(alias.pk))
    assert created.actor == admin and created.changes["country"] == [None, "MMR"]
    assert created.country_id is None  # reference data, not Myanmar's record
    # A form that another country already has is refused with a message.
    clash = client.post(
        "/admin/common/countryalias/add/",
        {"alias": "VIET-NAM", "country": "THA", "kind": "name", "is_active": "on"},
    )
    assert clash.status_code == 200 and "already a name of VNM" in clash.content.decode()
    client.post(
        f"/admin/common/countryalias/{alias.pk}/change/",
        {"alias": "Myanmarese", "country": "MMR", "language": "en", "kind": "variant",
         "source": "seen in a ministry file"},
    )  # fmt: skip
    changed = AuditLog.objects.get(action=AuditAction.RECORD_UPDATE, object_id=str(alias.pk))
    assert changed.changes == {"is_active": [True, False]}
    assert CountryNames.load().resolve("Myanmarese") is None
    # No deletion: deactivating keeps a wrong form from coming back with the next load.
    assert client.get(f"/admin/common/countryalias/{alias.pk}/delete/").status_code == 403


def test_the_bundled_file_is_where_the_loader_looks():
    assert alias_file_path().name == "country_aliases.csv" and alias_file_path().exists()
