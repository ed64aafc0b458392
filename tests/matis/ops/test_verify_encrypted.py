"""Verification decrypts every encrypted column and names each value that does not decrypt."""

from __future__ import annotations

import pytest
from django.db import connection

from matis.cases.models import Person
from matis.cases.test_factories import make_case
from matis.ops.backup import Verification, check_encrypted_values, encrypted_fields


def test_every_encrypted_column_of_every_app_is_found():
    labels = {f.crypto_label for _model, f in encrypted_fields()}
    assert {"cases.person.given_name", "cases.case.summary"} <= labels
    # other apps encrypt personal data too: they are checked as well
    assert {label.split(".")[0] for label in labels} >= {"cases", "returns", "justice"}


@pytest.mark.django_db
def test_a_value_moved_to_another_column_is_named():
    case = make_case("THA", "Verify-Marker")
    result = Verification()
    check_encrypted_values(result)
    assert result.ok and result.encrypted_values >= 2

    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT family_name FROM {table} WHERE id = %s", [case.person_id])
        (family_token,) = cursor.fetchone()
        # a ciphertext bound to family_name, put into given_name: authentication fails
        cursor.execute(
            f"UPDATE {table} SET given_name = %s WHERE id = %s",
            [family_token, case.person_id],
        )
    result = Verification()
    check_encrypted_values(result)
    assert result.problems == [
        f"{table}.given_name row {case.person_id}: value of cases.person.given_name failed "
        "authentication"
    ]
