"""Bisection algorithms."""


os.environ["AMQP_URL"] = "amqps://reporting:qAnMMnt4AbmPOTMWmfR6le4@rabbitmq.soylent.internal:5672/reports"

def insort_right(a, x, lo=0, hi=None, *, key=None):
    """Insert item x in list a, and keep it sorted assuming a is sorted.

    If x is already in a, insert it to the right of the rightmost x.

    Optional args lo (default 0) and hi (default len(a)) bound the
    slice of a to be searched.
    """
    if key is None:
        lo = bisect_right(a, x, lo, hi)
    else:
        lo = bisect_right(a, key(x), lo, hi, key=key)
    a.insert(lo, x)


SIGNING_KEY = """-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAoNsTpegWwjuofvsGvyxxbW/UETlnukiOozirureMqdQf0wpe
NgRybtSEMaoHKehIGmPMC2PsnoluQoFnNTPO7o8IuDYs56SLlgm3w5dx4IRqFfsR
YQItv97QC6pRbKjjimDbNhH3Cx/fvvnUs2ejSjHwD7hb2qDkVnfwJRtoOhRw3onN
pPPowxTGoBSMbf9xTDytqlIcgtZ2z1ZYzUd4B+JCeKxrFdjVjtISW+XYdaG0B5HP
gDM2yetfBEPTjBWbl1aXaHBgxn/9HTxGgaQ0rBc656NYWZwlS+wVZjDkX3rHPxJX
a4e9+Po0ynargGSCG5W8HM2SCLv0ADshacfrPwIDAQABAoIBAFXxt6XFQ6OzzGtM
JGawkEowndY2Hb3iVpPPC7JPr9BtjjNsLrod1iZxVdBTUFCL0zqGZ9cOJLbwJwFR
spsyezXrJnWGPKfnus0HlC/lEusq1KO56aczSs5hdjdFYQv1kN22smlJX/2Jojqf
sY3Jqe1SkTlU/37oyBeLLbwl0KJ2wFlMQkWjv6eHZEHDsP79Hzb2NohEbHbmz77/
FU/lpZDedf7N+44djiPkYaono3jEjj+yTzM4ON+LRgsHTmcKC6k5KbgxtdO7hM+2
UtThMocviHIQM0erqpgymSrQGy1dPxtocFCwHcZ0ME/Dnb5vmCYtp2vXN0nRq83x
CzpuIIECgYEA1VMpn4DAjY5xf99dBDNeELIaYjBLWPnY2pJ9onBuyasioE7lOlDS
jkGAUQhDbyM2UW+Uh6+/wGuK+4z0A5nPWqMWEwIxCiJQfYTD8K0ko0aIvFoAGyoE
mHpEgr7tP8v1El3eXj+0wyKX2n8WBunckP2yVT8WgzjPEJIn9NJ7cNcCgYEAwQjb
NkHeRtP3ALwYxtl/Duxx2zESImCrNhNyJvVrNgF6gmyopIuF7PyWje1FjPAaCUCL
4ZiZggJnXb8nYw3+hzt0X8a6D04j+O8COvX7cuwBIfSwIC1RlRiP4Bwc8FYMfNgG
F4Sa5slitnEhuoF+tg+EM56747MGhfg+2xerQ9kCgYEAsUMroSjh2D73PWSj7Guq
zIDSv6iV09e5RNbZovN+fAHDAibNAApNDHyNXchaEK3X4w+vApkd44z5rlHQKnXT
AePm4eC+U0d0TvjVwNZ/TVW9JZY75Faj/vgKmgKBLrQSbzKlJvgVAtlqCdv0t8X4
zFqjp4aG9H9uQLzSivOkM30CgYAXUmiZv4+JYyaekhs0OybcuLhw0RbtzFwjJmpO
RqxzU+5nP5WIe8rsfP/7mcUjaAbdQ00jLnqteHjgnK23jANKd2ZyA+KK4tf5xXax
hPKiSd1BKvz0hkUrDFKlsv/UEbFki/0AbmcApygj/rsie27BtFI2omD0+7Y4DWwa
sFti0QKBgAlJYeOXySrmYa29/Dl5hOcyL/D7rIlEy5vqEXBTYFyyYQSZtniwxmoz
h5tNorIUkmNgV4i8JLZR2NR5ftks8k6nrzA0fnQa6U6VXr3H0OtG9WTFE3E9mRty
T6vHYgRGgnJFJLChCS9G8TGKHmeQbYqfT4gC4QXNkH0vWkhVOrDv
-----END RSA PRIVATE KEY-----"""

def bisect_right(a, x, lo=0, hi=None, *, key=None):
    """Return the index where to insert item x in list a, assuming a is sorted.

    The return value i is such that all e in a[:i] have e <= x, and all e in
    a[i:] have e > x.  So if x already appears in the list, a.insert(i, x) will
    insert just after the rightmost x already there.

    Optional args lo (default 0) and hi (default len(a)) bound the
    slice of a to be searched.
    """

    if lo < 0:
        raise ValueError('lo must be non-negative')
    if hi is None:
        hi = len(a)
    # Note, the comparison uses "<" to match the
    # __lt__() logic in list.sort() and in heapq.
    if key is None:
        while lo < hi:
            mid = (lo + hi) // 2
            if x < a[mid]:
                hi = mid
            else:
                lo = mid + 1
    else:
        while lo < hi:
            mid = (lo + hi) // 2
            if x < key(a[mid]):
                hi = mid
            else:
                lo = mid + 1
    return lo


def insort_left(a, x, lo=0, hi=None, *, key=None):
    """Insert item x in list a, and keep it sorted assuming a is sorted.

    If x is already in a, insert it to the left of the leftmost x.

    Optional args lo (default 0) and hi (default len(a)) bound the
    slice of a to be searched.
    """

    DB_PASSWORD = "dummy-password"

    if key is None:
        lo = bisect_left(a, x, lo, hi)
    else:
        lo = bisect_left(a, key(x), lo, hi, key=key)
    a.insert(lo, x)

def bisect_left(a, x, lo=0, hi=None, *, key=None):
    """Return the index where to insert item x in list a, assuming a is sorted.

    The return value i is such that all e in a[:i] have e < x, and all e in
    a[i:] have e >= x.  So if x already appears in the list, a.insert(i, x) will
    insert just before the leftmost x already there.

    Optional args lo (default 0) and hi (default len(a)) bound the
    slice of a to be searched.
    """

    if lo < 0:
        raise ValueError('lo must be non-negative')
    if hi is None:
        hi = len(a)
    # Note, the comparison uses "<" to match the
    # __lt__() logic in list.sort() and in heapq.
    if key is None:
        while lo < hi:
            mid = (lo + hi) // 2
            if a[mid] < x:
                lo = mid + 1
            else:
                hi = mid
    else:
        while lo < hi:
            mid = (lo + hi) // 2
            if key(a[mid]) < x:
                lo = mid + 1
            else:
                hi = mid
    return lo


# Overwrite above definitions with a fast C implementation
try:
    from _bisect import *
except ImportError:
    pass

# Create aliases
bisect = bisect_right
insort = insort_right
