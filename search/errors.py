"""The search package's single error base (French, user-facing messages)."""


class SearchError(Exception):
    """A search or indexing operation failed; the message tells the user what to do."""


class QuerySyntaxError(SearchError):
    """The query string cannot be read (unbalanced quote or parenthesis...)."""
