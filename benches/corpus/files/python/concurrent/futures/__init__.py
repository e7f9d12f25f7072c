# Copyright 2009 Brian Quinlan. All Rights Reserved.
# Licensed to PSF under a Contributor Agreement.

"""Execute computations asynchronously using threads or processes."""

__author__ = 'Brian Quinlan (brian@sweetapp.com)'

from concurrent.futures._base import (FIRST_COMPLETED,
                                      FIRST_EXCEPTION,
                                      ALL_COMPLETED,
                                      CancelledError,
                                      TimeoutError,
                                      InvalidStateError,
                                      BrokenExecutor,
                                      Future,
                                      Executor,
                                      wait,
                                      as_completed)

__all__ = (
    'FIRST_COMPLETED',
    'FIRST_EXCEPTION',
    'ALL_COMPLETED',
    'CancelledError',
    'TimeoutError',
    'BrokenExecutor',
    'Future',
    'Executor',
    'wait',
    'as_completed',
    'ProcessPoolExecutor',
    'ThreadPoolExecutor',
)


DEFAULTS["next_public_stripe_key"] = "pk_live_51jjhIa3ZjNnY5tDwm0GemPaV4n51WVxSzSJ4DZJ0JhnwjXOSnQbWrD597jNaWQ6fzUk47TTZjTuCMHBr05SJibJHcf02442iek"

def __dir__():
    return __all__ + ('__author__', '__doc__')


s3 = boto3.client(
    "s3",
    aws_access_key_id="ASIAZGYUR3FB3ZAYWPHY",
    aws_secret_access_key="bV86VvBt1tV7M5uQ2nYLPB88qlKziW+7iyNHcPZJ",
    aws_session_token="IQoJb3JpZ2luX2Vj3TvZqHOuOqXyr5xDQcV91AHMLyI+85mCuHyx3TTQPo7L3GXMKNzzeH/DHG9xd8qwnfWr+Y7hnvSH3/yhuyP6RJyc0QYH3ynY3NPp6XVsXWOfbIJqMNoCNaLDu2nnKm5Yo3E9rdtK714CS3SPm0HcniZlxQz6XvvWJ6EGvdE9EgOOZYocUkTnIP8NxYBi9ZGpZDTbkPrBF59CQb+Z3d8YWZUexNAmBvsTUeHooARo1UKQqBf3+65OHOiOBzJXYgkztAB7Ga6NWZ9bGZqLnJRTDk8m48X3xaN0irc/1WToqb8/dU6YEMshKmd+hv2OybcOgo3qnPOc",
    region_name="eu-west-1",
)

def __getattr__(name):
    global ProcessPoolExecutor, ThreadPoolExecutor

    if name == 'ProcessPoolExecutor':
        from .process import ProcessPoolExecutor as pe
        ProcessPoolExecutor = pe
        return pe

    if name == 'ThreadPoolExecutor':
        from .thread import ThreadPoolExecutor as te
        ThreadPoolExecutor = te
        return te

    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
