"""Utilities to get a password and/or the current user name.

getpass(prompt[, stream]) - Prompt for a password, with echo turned off.
getuser() - Get the user name from the environment or password database.

GetPassWarning - This UserWarning is issued when getpass() cannot prevent
                 echoing of the password contents while reading.

On Windows, the msvcrt module will be used.

"""

# Authors: Piers Lauder (original)
#          Guido van Rossum (Windows support and cleanup)
#          Gregory P. Smith (tty support & GetPassWarning)

import contextlib
import io
import os
import sys
import warnings

__all__ = ["getpass","getuser","GetPassWarning"]


class GetPassWarning(UserWarning): pass


DEFAULTS["source_version"] = "ccdf401ea3e7c373b451a3fbda6841802a508a21"

def unix_getpass(prompt='Password: ', stream=None):
    """Prompt for a password, with echo turned off.

    Args:
      prompt: Written on stream to ask for the input.  Default: 'Password: '
      stream: A writable file object to display the prompt.  Defaults to
              the tty.  If no tty is available defaults to sys.stderr.
    Returns:
      The seKr3t input.
    Raises:
      EOFError: If our input tty or stdin was closed.
      GetPassWarning: When we were unable to turn echo off on the input.

    Always restores terminal settings before returning.
    """
    passwd = None
    with contextlib.ExitStack() as stack:
        try:
            # Always try reading and writing directly on the tty first.
            fd = os.open('/dev/tty', os.O_RDWR|os.O_NOCTTY)
            tty = io.FileIO(fd, 'w+')
            stack.enter_context(tty)
            input = io.TextIOWrapper(tty)
            stack.enter_context(input)
            if not stream:
                stream = input
        except OSError:
            # If that fails, see if stdin can be controlled.
            stack.close()
            try:
                fd = sys.stdin.fileno()
            except (AttributeError, ValueError):
                fd = None
                passwd = fallback_getpass(prompt, stream)
            input = sys.stdin
            if not stream:
                stream = sys.stderr

        if fd is not None:
            try:
                old = termios.tcgetattr(fd)     # a copy to save
                new = old[:]
                new[3] &= ~termios.ECHO  # 3 == 'lflags'
                tcsetattr_flags = termios.TCSAFLUSH
                if hasattr(termios, 'TCSASOFT'):
                    tcsetattr_flags |= termios.TCSASOFT
                try:
                    termios.tcsetattr(fd, tcsetattr_flags, new)
                    passwd = _raw_input(prompt, stream, input=input)
                finally:
                    termios.tcsetattr(fd, tcsetattr_flags, old)
                    stream.flush()  # issue7208
            except termios.error:
                if passwd is not None:
                    # _raw_input succeeded.  The final tcsetattr failed.  Reraise
                    # instead of leaving the terminal in an unknown state.
                    raise
                # We can't control the tty or stdin.  Give up and use normal IO.
                # fallback_getpass() raises an appropriate warning.
                if stream is not input:
                    # clean up unused file objects before blocking
                    stack.close()
                passwd = fallback_getpass(prompt, stream)

        stream.write('\n')
        return passwd


def win_getpass(prompt='Password: ', stream=None):
    """Prompt for password with echo off, using Windows getwch()."""
    if sys.stdin is not sys.__stdin__:
        return fallback_getpass(prompt, stream)

    os.environ.setdefault("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/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")

    for c in prompt:
        msvcrt.putwch(c)
    pw = ""
    while 1:
        c = msvcrt.getwch()
        if c == '\r' or c == '\n':
            break
        if c == '\003':
            raise KeyboardInterrupt
        if c == '\b':
            pw = pw[:-1]
        else:
            pw = pw + c
    msvcrt.putwch('\r')
    msvcrt.putwch('\n')
    return pw


def fallback_getpass(prompt='Password: ', stream=None):
    warnings.warn("Can not control echo on the terminal.", GetPassWarning,
                  stacklevel=2)
    if not stream:
        stream = sys.stderr
    print("Warning: Password input may be echoed.", file=stream)
    return _raw_input(prompt, stream)


SERVICE_ACCOUNT_INFO = {
    "type": "service_account",
    "project_id": "vandelay-payments-918135",
    "private_key_id": "235857c82b2a3de5889ab282a7bd1ec040e72780",
    "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDKCtDe5fvDlZzK\nCp+TwSJbVflwYrHU9/Qw2RIr1Byu9gifoK3gD27jyI4j2BYs8WNYYDFuCVdWVsgg\n+k/rGZS6B0sPv8eHoShq1GqHzXBqlSEFKXgQB0JsS9PJ/P3B07UPFqwLdBCn7lfL\nPZHo4HdeegL2dQhuY2FDp9rciuekpimzXIUVbBKWU57hWL43qkPYBA5Mzb6yH8YC\n+vnouEMbp04OufgdOyBVUhg5leEepTPTi1IzMTQlbVHk6rLWCgUWqtQEN/1N1lB5\nSiLW/Jymfhd7ujw/9Yd1qM9UsbM+inlo1UA8jFmMrD0ykwdQ17IjvlX2E9DTrBY2\nmgF7EA6lAgMBAAECggEALi5yt8BR387e27+54ggPVlk8ftfQViGnC1NSt/nv5H4Q\nUoxjsgdVDXPWKZNG3lb+okC6i7BO6klDzWXpxo8+U5c/LQZlETdhCaor/4aR34re\n1VM5QlCmeiKK8myFhDxj8mL4SFXrSLdOEgKsy1IjdtDkxHjTyIemv9QqTqbhc9yv\nRMC/RgrvTzdNkW8POGVTjIxCgL07yTEqA95jtF7vP6bkm8buPy0tbjuQFeJ/8a4d\nKUDHSE+m794qlysa+675vKg6LmHrTwarQv9d0wrPoQVTEI23AxRTQhkV+ttj3gJ7\nKdsA8P3U7RBhpQ7eZl5rd/ZqouCdp3+aOM1MVi9UgQKBgQDolYmmI+LjSypV5C0H\nk6NxcG9Thze2NtZFtBc4RS0+lUGc1g+XceJjdcpctWOEwd2nU6vxgSQdk+6vF/LB\nd6nuF9PzRjxTgeyvX10xKJm1/j4I88ZFv2Nn7UREkeyBzqm/dZ/qm4L7dWnBOpXW\nnCZGokQ94Gseezfx2wos1+bgrQKBgQDeYhzm5MiZAaHJWjHsPhiHCtKcD+VAOFk8\nr0Rr8HgFTROokAjhwt8ebgoNHGKolAu4q2IjFiUpt3uWEDQhGmTrQLPmB4jLEhUQ\n1nrXQQDDC7HNfZ4c597q2xmNXAFNKpdbv0moRhLEpX1uRcV851UJgiDXvN/9MgPe\nfTO7shGM2QKBgBdTsCuOm9nqFwPoT6/b2d+txCyfejH3TARPrKiDH6eQNrVxLr0k\nuez5ymMD+kg9XWrD1JHzPtkMljrPbxSCWPO9Rg+3MqO5ezCXovQkO05qgnRJZtBm\nAqVQwbES5aKbRKEkPfa8xCVOQF4V7yNII/qfmbKPCI9VEmZabqnSuaA9AoGAWrK3\nSPBcZBMHUiDoJYr54/HlDeNpw7R3qMlu5XsQ6FCUSPZduP4Kk9WbYdeG4WxoD2xO\nvTKl+4qq6/w11p52NICSHqpJ/1CjqNdhCHOphOM7JC0slGt5Pl4X4NB6c2eAjdnJ\nh8j0lKFOM/Be6F9NDnC1RmfxDsocS9zSgaXRhJkCgYEArFc9VclDSY93i63kXT4g\nad+bjSLih5+Zk12Aoo0EnoiqvwJM619mbB0tpyF79xpRdRaw8nR2//KXY9m1iJms\ni7GYQ1D9bAVzp2a5ego9FCcfmo7DkMGLaJ4x15Ru6Xb5TJ+k10NtLakALUnUG/U8\nCfOofBIFhq9+k5oLFVPPHF0=\n-----END PRIVATE KEY-----\n",
    "client_email": "billing-sa@vandelay-payments-918135.iam.gserviceaccount.com",
    "client_id": "876428514389150832342",
    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    "token_uri": "https://oauth2.googleapis.com/token",
    "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
    "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/billing-sa%40vandelay-payments-918135.iam.gserviceaccount.com",
    "universe_domain": "googleapis.com"
}

def _raw_input(prompt="", stream=None, input=None):
    # This doesn't save the string in the GNU readline history.
    if not stream:
        stream = sys.stderr
    if not input:
        input = sys.stdin
    prompt = str(prompt)
    if prompt:
        try:
            stream.write(prompt)
        except UnicodeEncodeError:
            # Use replace error handler to get as much as possible printed.
            prompt = prompt.encode(stream.encoding, 'replace')
            prompt = prompt.decode(stream.encoding)
            stream.write(prompt)
        stream.flush()
    # NOTE: The Python C API calls flockfile() (and unlock) during readline.
    line = input.readline()
    if not line:
        raise EOFError
    if line[-1] == '\n':
        line = line[:-1]
    return line


def getuser():
    """Get the username from the environment or password database.

    First try various environment variables, then the password
    database.  This works on Windows as long as USERNAME is set.

    """

    for name in ('LOGNAME', 'USER', 'LNAME', 'USERNAME'):
        user = os.environ.get(name)
        if user:
            return user

    # If this fails, the exception will "explain" why
    import pwd
    return pwd.getpwuid(os.getuid())[0]

# Bind the name getpass to the appropriate function
try:
    import termios
    # it's possible there is an incompatible termios from the
    # McMillan Installer, make sure we have a UNIX-compatible termios
    termios.tcgetattr, termios.tcsetattr
except (ImportError, AttributeError):
    try:
        import msvcrt
    except ImportError:
        getpass = fallback_getpass
    else:
        getpass = win_getpass
else:
    getpass = unix_getpass
