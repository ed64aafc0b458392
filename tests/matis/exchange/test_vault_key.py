"""Security review finding 4: the hub's country secrets are not protected by MATIS_SECRET_KEY."""

from __future__ import annotations

import pytest

from matis.exchange.conf import ExchangeNotConfigured
from matis.exchange.keys import _derived, country_key_create, secret_of
from matis.exchange.models import CountryKey

pytestmark = pytest.mark.django_db

VAULT = "vault-Qm3xT9pL2vR8nK4wY7cZ1bH6jD5fG0sA"


def test_finding_04_country_secrets_are_sealed_with_the_vault_key_not_the_secret_key(settings):
    settings.MATIS_EXCHANGE_VAULT_KEY = VAULT
    key, secret = country_key_create(actor=None, country_id="THA")
    stored = CountryKey.objects.get(pk=key.pk).secret_encrypted
    assert secret not in stored
    assert secret_of(key) == secret
    # Someone holding MATIS_SECRET_KEY and the database cannot read it.
    from cryptography.fernet import InvalidToken

    with pytest.raises(InvalidToken):
        _derived(settings.SECRET_KEY, b"country-keys").decrypt(stored.encode("ascii"))
    assert _derived(VAULT, b"country-keys-vault").decrypt(stored.encode()).decode() == secret


def test_finding_04_secrets_stored_before_the_vault_key_stay_readable(settings):
    settings.MATIS_EXCHANGE_VAULT_KEY = ""
    key, secret = country_key_create(actor=None, country_id="KHM")
    settings.MATIS_EXCHANGE_VAULT_KEY = VAULT
    assert secret_of(key) == secret


def test_finding_04_production_refuses_country_secrets_without_a_vault_key(settings):
    settings.IS_PRODUCTION = True
    settings.MATIS_EXCHANGE_VAULT_KEY = ""
    with pytest.raises(ExchangeNotConfigured, match="MATIS_EXCHANGE_VAULT_KEY"):
        country_key_create(actor=None, country_id="LAO")
    settings.MATIS_EXCHANGE_VAULT_KEY = "short"
    with pytest.raises(ExchangeNotConfigured, match="too weak"):
        country_key_create(actor=None, country_id="LAO")
