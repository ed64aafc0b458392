"""Security review finding 16 (issue 13): sign-in lockout.

The review found the lockout keyed on (account, address): a guesser spread
guesses over accounts or addresses, and behind the proxy anyone locked anyone
out for 30 minutes with five requests. Now an account waits after
``AXES_FAILURE_LIMIT`` failures from any address (1 minute, doubling up to 30),
one address is blocked after ``MATIS_LOGIN_ADDRESS_LIMIT`` failures across
accounts, and the address is ``REMOTE_ADDR`` only (``matis serve`` sets it from
the trusted proxy's ``X-Forwarded-For``). Time passes by moving the stored
attempt times into the past, never by sleeping.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.db.models import F, Sum
from django.test import Client

from matis.access.lockout import account_delay
from matis.access.models import AuditAction, AuditLog

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
_addresses = (f"198.51.100.{n}" for n in itertools.count(10))


def _login(email, password, address, **headers):
    # A fresh browser each time: only the account and the address link attempts.
    return Client().post(
        "/login/", {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def _travel(**delta):
    """Let time pass: every stored failure moves ``delta`` into the past."""
    back = timedelta(**delta)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - back)
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - back)


def _failures(email):
    return AccessAttempt.objects.filter(username=email).aggregate(n=Sum("failures_since_start"))[
        "n"
    ]


def _says_wait(response, minutes):
    unit = "minute" if minutes == 1 else "minutes"
    return f"Try again in {minutes} {unit}" in response.content.decode()


def test_finding_16_spraying_from_many_addresses_is_delayed_per_account(make_user, settings):
    limit = settings.AXES_FAILURE_LIMIT
    accounts = [make_user() for _ in range(3)]
    for user in accounts:
        # A guesser rotating addresses: every guess from somewhere else.
        for n in range(limit - 1):
            assert _login(user.email, f"guess {n}", next(_addresses)).status_code == 200
        last_guess = _login(user.email, "guess last", next(_addresses))
        assert last_guess.status_code == 429 and _says_wait(last_guess, 1)
    for user in accounts:
        # The right password, from an address never seen before, must wait too.
        refused = _login(user.email, PASSWORD, next(_addresses))
        assert refused.status_code == 429 and _says_wait(refused, 1)
        assert "_auth_user_id" not in refused.client.session
    _travel(minutes=1, seconds=1)
    for user in accounts:
        assert _login(user.email, PASSWORD, next(_addresses)).status_code == 302
        assert not AccessAttempt.objects.filter(username=user.email).exists()  # streak over


def test_finding_16_another_address_does_not_bypass_the_account_delay(make_user, settings):
    user = make_user()
    first, second = next(_addresses), next(_addresses)
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(user.email, f"guess {n}", first)
    assert _login(user.email, PASSWORD, first).status_code == 429
    assert _login(user.email, PASSWORD, second).status_code == 429
    # Guesses while the account waits are refused unchecked and do not count.
    assert _login(user.email, "another guess", second).status_code == 429
    assert _failures(user.email) == settings.AXES_FAILURE_LIMIT
    # Five requests hold an account for one minute, not half an hour.
    _travel(minutes=1, seconds=1)
    assert _login(user.email, PASSWORD, second).status_code == 302


def test_finding_16_address_limit_blocks_an_address_trying_many_accounts(make_user, settings):
    limit = settings.MATIS_LOGIN_ADDRESS_LIMIT
    per_account = settings.AXES_FAILURE_LIMIT - 1  # stays under every account's limit
    sprayer, colleague = next(_addresses), next(_addresses)
    accounts = [make_user() for _ in range(limit // per_account + 2)]
    tried = 0
    blocked_at = None
    for user in accounts[:-1]:
        for n in range(per_account):
            response = _login(user.email, f"guess {n}", sprayer)
            tried += 1
            if blocked_at is None and response.status_code == 429:
                blocked_at = tried
    assert blocked_at == limit
    assert AccessFailureLog.objects.filter(ip_address=sprayer).count() == limit  # rest unchecked
    untouched = accounts[-1]
    refused = _login(untouched.email, PASSWORD, sprayer)
    assert refused.status_code == 429 and _says_wait(refused, 15)
    # The block is on the address: the accounts themselves are not delayed.
    assert _login(untouched.email, PASSWORD, colleague).status_code == 302
    assert _login(accounts[0].email, PASSWORD, colleague).status_code == 302
    # A success elsewhere does not lift the address block; the window passing does.
    assert _login(accounts[1].email, PASSWORD, sprayer).status_code == 429
    _travel(minutes=15, seconds=1)
    assert _login(accounts[1].email, PASSWORD, sprayer).status_code == 302


def test_finding_16_the_delay_grows_and_expires(make_user, settings):
    limit = settings.AXES_FAILURE_LIMIT
    user = make_user()
    address = next(_addresses)
    for n in range(limit - 1):
        assert _login(user.email, f"guess {n}", address).status_code == 200
    expected = [1, 2, 4, 8, 16, 30, 30]  # minutes after each failure from the limit on
    for step, minutes in enumerate(expected):
        response = _login(user.email, f"guess at step {step}", address)
        assert response.status_code == 429 and _says_wait(response, minutes), step
        assert account_delay(limit + step, limit) == timedelta(minutes=minutes)
        # Not yet over: the right password still waits, and says how long is left.
        _travel(minutes=minutes, seconds=-30)
        refused = _login(user.email, PASSWORD, address)
        assert refused.status_code == 429 and _says_wait(refused, 1)
        _travel(seconds=31)
    assert _failures(user.email) == limit + len(expected) - 1
    assert _login(user.email, PASSWORD, address).status_code == 302
    assert _failures(user.email) is None  # a successful sign-in ends the streak


def test_finding_16_a_streak_is_forgotten_after_a_quiet_day(make_user, settings):
    user = make_user()
    address = next(_addresses)
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(user.email, f"guess {n}", address)
    _travel(hours=24, minutes=1)
    # One more mistake starts a new count instead of doubling an old wait.
    assert _login(user.email, "a typo", address).status_code == 200
    assert _failures(user.email) == 1


def test_finding_16_forged_x_forwarded_for_does_not_change_the_recorded_address(
    make_user, settings
):
    settings.MATIS_LOGIN_ADDRESS_LIMIT = 3
    user = make_user()
    real = "203.0.113.5"
    for n in range(3):
        response = _login(
            user.email,
            f"guess {n}",
            real,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}",
            HTTP_X_REAL_IP=f"192.0.2.{n + 1}",
            HTTP_FORWARDED=f"for=192.0.2.{n + 1}",
        )
    assert response.status_code == 429  # a new forged address each time did not help
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {real}
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {real}
    audited = AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert audited.count() == 3
    assert {event.detail["address"] for event in audited} == {real}
