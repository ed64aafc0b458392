"""In a real Chromium, in Vietnamese: record a training event with its participants."""

import datetime as dt

import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_training_event_with_participants_in_vietnamese(
    browser_page, live_server, make_user, tmp_path
):
    from matis.plans.loader import load_registry
    from matis.registers.models import Accreditation, Curriculum, Trainer, TrainingEvent

    load_registry()  # transactional tests start from an empty database
    user = make_user(role="task_force_officer", country="VNM")
    curriculum = Curriculum.objects.create(
        country_id="VNM",
        title="Nhận diện nạn nhân (synthetic)",
        activity="P&C2",
        level="national",
        kind="generalist",
        version="2.0",
        language="vi",
    )
    trainer = Trainer.objects.create(
        country_id="VNM", name="Lan Anh (synthetic)", sector="government"
    )
    Accreditation.objects.create(
        trainer=trainer,
        accredited_by="government",
        body="Board",
        valid_from=dt.date(2010, 1, 1),
        valid_until=dt.date(2014, 1, 1),
    )
    lapsed = Trainer.objects.create(
        country_id="VNM", name="Minh Chau (synthetic)", sector="civil_society"
    )
    Accreditation.objects.create(
        trainer=lapsed,
        accredited_by="civil_society",
        body="Board",
        valid_from=dt.date(2009, 1, 1),
        valid_until=dt.date(2011, 6, 30),
    )

    page = browser_page
    login(page, live_server, user)
    page.goto(f"{live_server.url}/registers/training-events/")
    page.select_option("#language-select", "vi")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "vi"
    heading = page.locator("h1").inner_text()
    assert heading != "Training events" and heading.strip()

    page.click("[data-action=create]")
    page.wait_for_load_state("networkidle")
    page.fill("#id_title", "Khóa tập huấn biên phòng (synthetic)")
    page.select_option("#id_curriculum", str(curriculum.pk))
    page.fill("#id_start_date", "2012-05-14")
    page.fill("#id_end_date", "2012-05-16")
    page.fill("#id_place", "Lào Cai")
    page.check(f"input[name=trainers][value='{lapsed.pk}']")  # expired: must be refused
    rows = [
        ("LawEnforcement", "female", "practitioner", "12", "48", "75"),
        ("LawEnforcement", "male", "practitioner", "9", "50", "70"),
        ("NGO", "female", "manager", "4", "", ""),
    ]
    for n, (agency, sex, role, count, pre, post) in enumerate(rows):
        page.select_option(f"#id_participants-{n}-agency_type", agency)
        page.select_option(f"#id_participants-{n}-sex", sex)
        page.select_option(f"#id_participants-{n}-role", role)
        page.fill(f"#id_participants-{n}-count", count)
        page.fill(f"#id_participants-{n}-pre_test_mean", pre)
        page.fill(f"#id_participants-{n}-post_test_mean", post)
    page.click("[data-action=save]")
    page.wait_for_load_state("networkidle")
    errors = page.locator(".errorlist").all_inner_texts()
    assert any("Minh Chau (synthetic)" in e for e in errors), errors
    assert not TrainingEvent.objects.exists()

    # the participant rows were kept; swap the lapsed trainer for the accredited one
    assert page.input_value("#id_participants-2-count") == "4"
    page.uncheck(f"input[name=trainers][value='{lapsed.pk}']")
    page.check(f"input[name=trainers][value='{trainer.pk}']")
    page.click("button[data-add-row=participants]")
    page.select_option("#id_participants-3-agency_type", "LocalGovernmentOrganisation")
    page.select_option("#id_participants-3-sex", "male")
    page.select_option("#id_participants-3-role", "policy_maker")
    page.fill("#id_participants-3-count", "2")
    page.click("[data-action=save]")
    page.wait_for_load_state("networkidle")

    assert (
        "/registers/training-events/" in page.url and page.url.rstrip("/").split("/")[-1].isdigit()
    )
    assert page.locator("[data-total=participants]").inner_text() == "27"
    assert page.locator("[data-total=female]").inner_text() == "16"
    assert page.locator(f"[data-trainer='{trainer.ref}']").count() == 1
    assert page.locator("html").get_attribute("lang") == "vi"
    saved = TrainingEvent.objects.get()
    assert saved.participants.count() == 4 and list(saved.trainers.all()) == [trainer]
    page.screenshot(path=str(tmp_path / "training-event-vi.png"), full_page=True)
