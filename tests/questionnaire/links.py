"""Helpers of the questionnaire tests: the link of an invitation e-mail, and using it."""

import re

LINK = re.compile(r"https?://\S+/questionnaire/lien/(\S+)/")


def open_link(client, link, **data):
    """Press "Open the questionnaire" on the page of a link, as whoever is signed in on ``client``."""
    page = client.get(link)
    assert page.status_code == 200, page.status_code
    signed_in_as = re.search(r'name="signed_in_as" value="(\d*)"', page.content.decode()).group(1)
    return client.post(link, {"action": "open", "signed_in_as": signed_in_as, **data})
