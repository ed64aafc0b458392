"""System check: production needs case-data keys (``matis manage check --deploy``)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from matis.cases.protection.keys import CaseKeysMissing, load_keyring


@register(Tags.security, deploy=True)
def case_keys_present(app_configs=None, **kwargs):
    if not settings.IS_PRODUCTION:
        return []
    try:
        load_keyring()
    except CaseKeysMissing as exc:
        return [Error(str(exc), id="matis.cases.E001")]
    return []
