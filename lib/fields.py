"""Reading one field of a user's file: text it must be, and the message says which field when it is not.

    >>> text(3, "item 1: output", ValueError)
    '3'
    >>> text({"a": 1}, "item 1: output", ValueError)
    Traceback (most recent call last):
    ValueError: item 1: output must be text, not dict.
"""


def text(value, what: str, error: type[ValueError]) -> str:
    """`value` as text (a number is read as text, a missing value as ""); otherwise `error` naming `what`."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise error(f"{what} must be text, not {type(value).__name__}.")
    return str(value)
