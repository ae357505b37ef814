"""Days in a time zone: where a customer's, a contact's or a user's day
starts and ends, as naive UTC like the database's datetimes."""

from datetime import datetime, time, timedelta

import pytz


def local_midnight(now, tz_name, days=0):
    """Midnight starting the day of ``now`` (naive UTC) in ``tz_name``, or
    ``days`` later, as naive UTC."""
    tz = pytz.timezone(tz_name or "UTC")
    day = pytz.utc.localize(now).astimezone(tz).date() + timedelta(days=days)
    return (
        tz.localize(datetime.combine(day, time.min))
        .astimezone(pytz.utc)
        .replace(tzinfo=None)
    )
