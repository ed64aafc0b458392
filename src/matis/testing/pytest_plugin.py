"""Loaded with ``-p`` before Django is configured: selects the test profile.

Tests run against SQLite by default; set ``MATIS_TEST_DATABASE_URL`` (e.g.
``postgresql://postgres@127.0.0.1/matis``) to run the same suite on PostgreSQL.
"""

import os
import tempfile

os.environ["MATIS_ENV"] = "test"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")
os.environ.setdefault("MATIS_HOME", tempfile.mkdtemp(prefix="matis-test-home-"))
if os.environ.get("MATIS_TEST_DATABASE_URL"):
    os.environ["MATIS_DATABASE_URL"] = os.environ["MATIS_TEST_DATABASE_URL"]
else:
    os.environ["MATIS_DATABASE_URL"] = "sqlite:///" + os.path.join(
        os.environ["MATIS_HOME"], "t.sqlite3"
    )
