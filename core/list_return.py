"""Back to the page of a list one came from: its rows' links carry the list's address (path and query) as
`next`, the forms keep it in a hidden field, and a save or a 取消 goes back there instead of the list's page 1.

`next` is the user's input: it is followed only when it is a relative address of that same list (its exact path,
any query), never another page or another host, so it cannot be an open redirect.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

NEXT_FIELD = "next"
# A list's address with every filter filled is a few hundred characters; longer is not one of ours.
MOST_CHARACTERS = 2000


@dataclass(frozen=True)
class ListReturn:
    """Where a page reached from a list goes back to: the list's address it carries, or the plain list."""

    url: str
    carried: bool

    @cached_property
    def param(self) -> str:
        """`next=…` to add to a link's query onwards (empty when nothing is carried)."""
        return urlencode({NEXT_FIELD: self.url}) if self.carried else ""

    @property
    def query(self) -> str:
        """`?next=…` for a link onwards without a query of its own."""
        return f"?{self.param}" if self.carried else ""


def this_list(request: HttpRequest) -> ListReturn:
    """The list page being shown, for its rows' links (`.query`) and forms (`_list_return.html`)."""
    return ListReturn(request.get_full_path(), True)


def list_return(request: HttpRequest, plain: str) -> ListReturn:
    """The `next` the request carries (a form's hidden field, else the query string) when it is an address of the
    list `plain` (e.g. `/units/` or `/scoring/basic/?year=2024`), else `plain`."""
    carried = request.POST.get(NEXT_FIELD) or request.GET.get(NEXT_FIELD) or ""
    if _is_address_of(carried, urlsplit(plain).path):
        return ListReturn(carried, True)
    return ListReturn(plain, False)


def _is_address_of(address: str, path: str) -> bool:
    # get_full_path() is ASCII with no space or control character (iri_to_uri): anything else, a NUL or a line
    # break included, was not made by the list.
    if not address or len(address) > MOST_CHARACTERS or not all("!" <= c <= "~" for c in address):
        return False
    if not url_has_allowed_host_and_scheme(address, allowed_hosts=None):
        return False
    parts = urlsplit(address)
    return not parts.scheme and not parts.netloc and not parts.fragment and parts.path == path
