import datetime

import pytest
from django.db import connection

from breaches.dossier.streams import timestamps_parsed_fast

MOMENTS = [
    "2026-03-29 00:59:59.999999+00",
    "2026-03-29 03:00:00+02",
    "2026-10-25 02:30:00+01",
    "1999-12-31 23:59:59.000001+00",
    "9999-12-31 23:59:59+00",
]


def _read():
    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(%s::timestamptz[])", [MOMENTS])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast parser is PostgreSQL's")
def test_the_dossiers_fast_timestamp_parser_reads_what_django_reads():
    """OBL AU-03: the dossier's bulk read gives the same moments as Django's own loader
    (microseconds, both DST changes, far dates), and puts Django's
    loader back afterwards."""
    plain = _read()
    with timestamps_parsed_fast():
        fast = _read()
    assert fast == plain == _read()
    assert fast[0] == datetime.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=datetime.UTC)
    assert all(v.utcoffset() == datetime.timedelta(0) for v in fast)
