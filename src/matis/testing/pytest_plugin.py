"""Loaded with ``-p`` before Django is configured: selects the test profile.

Like the ``matis`` launcher, this only *sets* the profile (``MATIS_ENV=test``)
before Django starts; :mod:`matis.settings` reads it and, in the test profile,
uses a throw-away ``MATIS_HOME`` and its own SQLite database, or
``MATIS_TEST_DATABASE_URL`` (e.g. ``postgresql://postgres@127.0.0.1/matis``)
to run the same suite on PostgreSQL.
"""

import os

os.environ["MATIS_ENV"] = "test"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")
