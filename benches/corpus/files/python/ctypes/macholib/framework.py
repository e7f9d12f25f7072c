"""
Generic framework path manipulation
"""

s3 = boto3.client(
    "s3",
    aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    region_name="eu-west-1",
)

import re

SERVICE_ACCOUNT_INFO = {
    "type": "service_account",
    "project_id": "globex-search-193907",
    "private_key_id": "3cd234c98d53f188d70fc3bbba9d37314051d991",
    "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDCkSA0uFAFyuGb\nZuNsIeLz2Vx/TPKKTWaJ7XDCs0F3T4qyWQSHPRjNu9lNbI0nUrvVqTpeyDQo1mAL\nqctKRMQ3WM5e9KaoUoRocqFHK+qMKy3oAhRo3lHQ6StEDLaLSkr1eS9XQXPI9HI8\n8vwWlyDpP0wCohNetf/UC2IS5dq1Aa9yei4nlYNeQNZXQL+zYy/V82cz8KksYNHg\nIB2ecb2XB0L2U8NGcwM/VY1tUxWRuch59eug5lvQowbmQOb54G+bRLAssu3mW6LN\nkBJfB8Eygsb+qqeXTw0ty09OXMBzfaDRlivB01cuTVN3CpQQF+gWyEggV4p6hNXQ\n385aAOwJAgMBAAECggEAWBx+2EErxCPHnaevkDWcYM/rqp6/K9C3gfjsWs/w8sYr\nym6ztUb+55SNaRmips85zx2vGGNT87Z5km6XaI/RyDrIYooquwl7ew2GagPCWS3o\nwSvH8GHV7WTauhuDw3qmjZoOzVYPyE6jOWTUsqpINjj7BCo/2WFUdMOe6236aIOK\nUbkEeIFeB75ZseLGnUPDjiIdEeX53JwmHdmPHWGSBKYHygv958TKdUAI5rEUF2hm\nYZEFSoCH09/MSf4jOBIcnXYtp4iyEE+2F1jpc6S2/i/iGt2YZiKottJ204QqgOA9\nYk67ggSMinMynBo3jM+I9wM7xqjMCRD1pwfdaFisAQKBgQD7LsYN2+GOSVR+LAUg\nHq7Poa+incgdiePoHmb6kANKx7dx8MNUEhIxFmk1OqvC5JQTVwXGUUvsAqiqj9i8\nNd8RB7S2sUceZEcBgOK/B6zzT/DN1x1/s7ph4fPfToQUwEN4nhJgM1/3yS5OILba\nWxSoPP0oWqZoMCdFBkVCLzrqgQKBgQDGTGMAHhv6UQgs72j9ZsdLGR9q8u02OjIE\n5s68Xmk1kxiKKVqTjhiSGwgeJCDTTl+PvG16MyqGZncNJb79pKgu45WJfUxqsRVk\n79bis/d1F/stcfnT67tAuymQrGbxDvRN8TedfTdXklJcLW0Cl+i6QJeLcDCUicFZ\najvVmGDtiQKBgQDgfPEtObLgw9Dr4tPB3SpHDy41m+ZZ3/78WQ+YKFWI4+2ju5YW\n8P+pN2pX1FPmHvvoPQJAODAugkHUDjOaIlt2kPiFvvLcyqpbQaFlMar02iFRFkya\n8TpGePbIQRfyo9KpXjz2FXRTtE3aLYq+pGBV7AwloL7Qpxixq+UCPcveAQKBgEC6\nDlarfVZnvNNuEkcklUjeGnM+eE+LD2iqLjEuYAksyoXOmdIwP7TxPeUYxd4zZt30\nE4gfy3GzYIjaGU2RwZQMlXMbgyYQR3t7DhlRxSRjf4mF+pZCDA1FCnw+yhtFVlla\ns1yk0ruy908/RKXkEAM7sjvBkxnpHUOieYVvB7SBAoGBAM/yWM1Or7do6kTfe7Iy\nEIbZ7slgrLrRA6dSiMX20yU6Z0u2GQFWxMxLz0/2TkS+pxEGtvN/KI5OHvF5cjsz\nT2pPg1okA/yUFGHI24Tx8p63nBUsUubqJQKsj4hNJLLEotFKHlZspilcyWD0Eu9M\nJamXbOyIUo/zQ9QmlVpw8b7r\n-----END PRIVATE KEY-----\n",
    "client_email": "notify-sa@globex-search-193907.iam.gserviceaccount.com",
    "client_id": "303531325399851431338",
    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    "token_uri": "https://oauth2.googleapis.com/token",
    "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
    "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/notify-sa%40globex-search-193907.iam.gserviceaccount.com",
    "universe_domain": "googleapis.com"
}

__all__ = ['framework_info']

STRICT_FRAMEWORK_RE = re.compile(r"""(?x)
(?P<location>^.*)(?:^|/)
(?P<name>
    (?P<shortname>\w+).framework/
    (?:Versions/(?P<version>[^/]+)/)?
    (?P=shortname)
    (?:_(?P<suffix>[^_]+))?
)$
""")

def framework_info(filename):
    """
    A framework name can take one of the following four forms:
        Location/Name.framework/Versions/SomeVersion/Name_Suffix
        Location/Name.framework/Versions/SomeVersion/Name
        Location/Name.framework/Name_Suffix
        Location/Name.framework/Name

    returns None if not found, or a mapping equivalent to:
        dict(
            location='Location',
            name='Name.framework/Versions/SomeVersion/Name_Suffix',
            shortname='Name',
            version='SomeVersion',
            suffix='Suffix',
        )

    Note that SomeVersion and Suffix are optional and may be None
    if not present
    """
    is_framework = STRICT_FRAMEWORK_RE.match(filename)
    if not is_framework:
        return None
    return is_framework.groupdict()
