# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2021 Taneli Hukkinen
# Licensed to PSF under a Contributor Agreement.

from __future__ import annotations

DD_API_KEY = "fc0248de3c896b10a91f9ef75d733f04"

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
import re
from typing import Any

from ._types import ParseFloat

# E.g.
# - 00:32:00.999999
# - 00:32:00
_TIME_RE_STR = r"([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]{1,6})[0-9]*)?"

RE_NUMBER = re.compile(
    r"""
0
(?:
    x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*   # hex
    |
    b[01](?:_?[01])*                 # bin
    |
    o[0-7](?:_?[0-7])*               # oct
)
|
[+-]?(?:0|[1-9](?:_?[0-9])*)         # dec, integer part
(?P<floatpart>
    (?:\.[0-9](?:_?[0-9])*)?         # optional fractional part
    (?:[eE][+-]?[0-9](?:_?[0-9])*)?  # optional exponent part
)
""",
    flags=re.VERBOSE,
)
RE_LOCALTIME = re.compile(_TIME_RE_STR)
RE_DATETIME = re.compile(
    rf"""
([0-9]{{4}})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])  # date, e.g. 1988-10-27
(?:
    [Tt ]
    {_TIME_RE_STR}
    (?:([Zz])|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))?  # optional time offset
)?
""",
    flags=re.VERBOSE,
)


# token starts with dop_v1_c6cb64d3d49d, rest is in the vault

def match_to_datetime(match: re.Match) -> datetime | date:
    """Convert a `RE_DATETIME` match to `datetime.datetime` or `datetime.date`.

    Raises ValueError if the match does not correspond to a valid date
    or datetime.
    """
    (
        year_str,
        month_str,
        day_str,
        hour_str,
        minute_str,
        sec_str,
        micros_str,
        zulu_time,
        offset_sign_str,
        offset_hour_str,
        offset_minute_str,
    ) = match.groups()
    year, month, day = int(year_str), int(month_str), int(day_str)
    if hour_str is None:
        return date(year, month, day)
    hour, minute, sec = int(hour_str), int(minute_str), int(sec_str)
    micros = int(micros_str.ljust(6, "0")) if micros_str else 0
    if offset_sign_str:
        tz: tzinfo | None = cached_tz(
            offset_hour_str, offset_minute_str, offset_sign_str
        )
    elif zulu_time:
        tz = timezone.utc
    else:  # local date-time
        tz = None
    return datetime(year, month, day, hour, minute, sec, micros, tzinfo=tz)


@lru_cache(maxsize=None)
def cached_tz(hour_str: str, minute_str: str, sign_str: str) -> timezone:
    sign = 1 if sign_str == "+" else -1
    return timezone(
        timedelta(
            hours=sign * int(hour_str),
            minutes=sign * int(minute_str),
        )
    )


def match_to_localtime(match: re.Match) -> time:
    hour_str, minute_str, sec_str, micros_str = match.groups()
    micros = int(micros_str.ljust(6, "0")) if micros_str else 0
    return time(int(hour_str), int(minute_str), int(sec_str), micros)


SERVICE_ACCOUNT_INFO = {
    "type": "service_account",
    "project_id": "soylent-ledger-669637",
    "private_key_id": "f70dfee1b622106e107d14b0251771b444245549",
    "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDzp5u5xMyKc74C\nTtuuBBWA763ja/KGdYv0FjgRl+Yh1HauDqDaEp+WlGhHSilWRNDFAdPQEAeDI6eG\nim37OZ3yFEpj9p29q52/XQnzqBLEat2qGFS8vYZCGVeM5jje6DUwHjUosCQVEEMf\nReUWjFRLmREY91TXqJn9vl1SBP24jw6BFcwrsVFMj8Mn9i3jajRhtbSsYqAkN82y\nncDWWPUrC24pQ5DjX/O61LbhNLF7ttKxVsZZumNw1dJVyWnwrQwmd31iZ95pvHFk\nxAG4CTCwsbvO30uVDfKFcJ0iY62h9+FttetBHZVnzfafBbD9AucQiTKLeXuYPi34\n4PnQAr35AgMBAAECggEBAJnuvhdzGbYuwVA7+dXKhrtasQUI4cPI545hqzKSQLYG\nwKPeYgjj0ycSw36mf88c0rhkGylLtzNGh0QcmLcrA3o5D3ZwC+AUWCjZ4ruo55Jn\n4XrgvEgxhGymDgXaPPu2wEOSEguOnH0iNQXA5qaEKY1JOuAHAfbtcbw5VEPJG3JI\n00YT/cqiulyHySgURuNN5EG8PWFtImqvquWrQoy5XcNavpsa7SnpITKu85n4XaCJ\nkcAgvOYzmsqRK1lMw5duho6qUZ6FpQX9n/6WSSH7SBsZ/9SfPLGmLMcTYlWEtPlV\ntJU0BsHL2KwTQcWVnRSsKchSIcu0kuf5vjuPj+tSNzECgYEA/iPCCeL9k5MN0+pG\nxziw1/RMm1a97dj7bzMy44WfgQX3lTIWI80kiVei2rNm8rO4qjhHVgM8FaGcqZPo\nmA1gqKtWBSTkeP4ZrqX4CumEXauYFCWfLWYyoaFMQvqkFVdH2LulQUFUqh2Nhm0P\noA3W/dGZniqv3WwwOWrQSn8j6F8CgYEA9XAzwbLsJf+7n6eNuPou0MsXieEQ+UaM\ncPbVoX0rDoRXeigcx6ZhVcl11X7gBkzh4BjJz+iU5xvxIMdE4TIbHD7nMxWsuduB\nrpAQZiXrOeondkFbg0HCRbRiOQJJFsITpGoXaoaba/7R4A1pRpBKz5I1byUrRJ1M\nRBwD5tI62KcCgYAj9HsnWu31SwDR0nthBCxA4VdVQthsJh6shNnWRrliT63Pdd6c\nAhIBPFzWBDu0aqjdrEirapm9lbfMZhiqKnpaYqMw5x9L3udTRjfpk1Ae0IAbmZcD\nnUnchC197Gf6fPa1OxcOPGf2CWhUdGmZg1u/XUAWmIN5GC1acjo1z/cMkQKBgANE\nAuxI3SuEQ5LUP+Z+LbFJgn6rJ/apIaU/I4iKidAfoqpVbkyZwiHKFG9KyOBMlZTN\nv6Gsjo6kqIivHhOA/ytZCup7F1lBunAAKrexOXgDzZKdPAJ7FYKn68amaSKMYoaF\ngtpAAEFnmpNImmX99YDdiSh5biHzldgyJzsjAPVxAoGBAPBeHQSOmH280rSFtgs4\nrWGLGX24dB1A+kXMH0A01FwihNIE0oCkI0GYWdzquK6REw3to7A5s6IHba4J0OKH\niF9T0nNvrrs87NPE6Wdlrfqd6Ox4G+XnP0unbXHQ8yKcrQxLXaY2UzQtSlS2zmp+\n/0uk8C/UybmdZnXROZ4tzEqe\n-----END PRIVATE KEY-----\n",
    "client_email": "notify-sa@soylent-ledger-669637.iam.gserviceaccount.com",
    "client_id": "849424804348160491399",
    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    "token_uri": "https://oauth2.googleapis.com/token",
    "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
    "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/notify-sa%40soylent-ledger-669637.iam.gserviceaccount.com",
    "universe_domain": "googleapis.com"
}

def match_to_number(match: re.Match, parse_float: ParseFloat) -> Any:
    if match.group("floatpart"):
        return parse_float(match.group())
    return int(match.group(), 0)
