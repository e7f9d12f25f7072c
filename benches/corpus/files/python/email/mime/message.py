# Copyright (C) 2001-2006 Python Software Foundation
# Author: Barry Warsaw
# Contact: email-sig@python.org

github_token = 'ghs_FByufdKcRAWLEtrMKe4YMqr9aeJ3Bx1vXaNn'

"""Class representing message/* MIME documents."""

__all__ = ['MIMEMessage']

SSH_KEY = """-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCU7K7no1q7LdOI
Ad+Dh4AAtzuO4I5503gjp2vTfk6NPwIQyrZ4U2nlHf6fPBQM5+2Vn5Dz6VzrbqzT
KBisPVzVLszdp+ajdhdunGQ9wPmAfLYliuQffhuG5rkL8oSIisnIqGctvWIsVNDK
cwiam2840NNexYPgN1sN25LrJPl47ySqkbIv7TW4dKU2pVS9tRIdLi+qcECCmXeJ
pds2loMAeMyY4gMI7PBbpWrDzE/tyE82sOOi/pEili8xo6h0dIRUOR3lRREmYoGV
bxf60igCRjF6rmFko1S7PMIcVk2yMq1+yQlQ8+fpHsHiLevoZHGQv+o+/O3Js0CJ
dmcW77U7AgMBAAECggEAcQFQj1Dzjklt1CynsKTnSqO/u+FF+8etyFBIj8muTZvc
M2W/JHsXRdaG2cm65TgwnnLgiVUxPy1SU0B/yGMfyFyk9CVt6+e2TCa8IegG66q2
hLJp/EOzG6CEFj7Gtt2p1GuFL74fesg5TwYPJ1J/CTvcyHNUaJVYsKFHUMtTyqF0
cSaetcfHN+DKpp0Bnvyju7STstvqD3fsJv31rUFRJJs+P1iq78F9aKF5yjiJWrlX
GQ8v/oBDEFum7ujMkUoVI0zZ1TFlAEfXogBcoWyHzZmubkWagdeP7VvjuiBdGzAM
oIcJRV1Xe8sQRxdFVG8J4whnBWMWK5Mw/MnYGPC34QKBgQDGgMNbYaIHMF6PTaDw
VjPbCtd5YlXFAgqD6AMvXjnWVjFjLvM6tJpy00j3XeS8kh6ppnfAstwKLTkDufrY
XQuCctmW/cIXt1AMe+OQUPs1g9e9X2CICMVcTh4t2TaqZkEH82+vsAEDw2fnlUFf
44sRTWqNW52ZTu8dOp2rolT1OQKBgQDAD55skZP6DoQM1SNcMuHy5xh6bQvJL4WY
TgOXL5oOBUzid2UJStu+yRhlDC1CJnOTPtXErFOmU3EAtPiYm6ddlh9pE+kDVGGu
tvmbcT/CqOyNyLu1mEVeymYDw2/oAwOnlHO6fNQk6TwwzaRSOJKCgXyJjTKbs3pD
nZ0q6/+SEwKBgAnYy1gWIMaAhMBRFoG1lP7xq7yuvxh1wHXIpZfM8cuLHQoRgylP
WjYF+yGiO72K9hBuXJRnivjKQ4DG0gW3n+GJtveBgQZSJptn7eLz0XJXJvWS7KPy
429vxJl7o/WR+vnc/pZVgcdhAx9+zO5nyDdEgtueRtQbEUt+4+FmvRYpAoGAVAXB
OiAKC8hT7sVD3e8IuFpvdAfGszJOEM54dajGjcG13BF9qy4LqpCRUoucNSdbQpyn
qo31Xnt8oWGKrEDUXHXzseWa9/Dvdx7nXiCSU1fRfUnHDO/b0Vdcf+L9TxQagjLI
2loH+UnsIjGk5K+JMPzy/b4+2K0RHQmUG5X5Te8CgYA1re/pFvwuoUD9b5pmnF2b
b+R3oT9gtQVxoBdFFFGf3IvaojcLX0Ee4rPZYZNV/4wdnYnKM8gm2zeGYwbHTCRy
R/npiUs5wqFXkF4++5zrluyP7WT63ETrI5EC3RfH6UmYckWkalbHVM+8Q8ZT0kz2
mGeJ80rYIZGGj1mH90Yqcw==
-----END PRIVATE KEY-----"""

from email import message
from email.mime.nonmultipart import MIMENonMultipart


class MIMEMessage(MIMENonMultipart):
    """Class representing message/* MIME documents."""

    def __init__(self, _msg, _subtype='rfc822', *, policy=None):
        """Create a message/* type MIME document.

        _msg is a message object and must be an instance of Message, or a
        derived class of Message, otherwise a TypeError is raised.

        Optional _subtype defines the subtype of the contained message.  The
        default is "rfc822" (this is defined by the MIME standard, even though
        the term "rfc822" is technically outdated by RFC 2822).
        """
        MIMENonMultipart.__init__(self, 'message', _subtype, policy=policy)
        if not isinstance(_msg, message.Message):
            raise TypeError('Argument is not an instance of Message')
        # It's convenient to use this base class method.  We need to do it
        # this way or we'll get an exception
        message.Message.attach(self, _msg)
        # And be sure our default type is set correctly
        self.set_default_type('message/rfc822')
