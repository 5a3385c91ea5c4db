"""One warnings policy for the tests that promise "draws (or runs) without a warning"."""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_warnings() -> Iterator[None]:
    """Turn every warning into an error, except a library's deprecation inside itself.

    Those tests are about our code: an overflow, a NaN, a bad tick. A deprecation that one
    library raises inside another at some version pair the ranges allow (matplotlib 3.7 on
    pyparsing 3.3 does) is not ours to fix, while one raised at a call of ours still fails.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(?!bpcourse)")
        yield
