"""The demo's building blocks (seed_demo runs them)."""

import unicodedata


def email_address(first: str, last: str, domain: str) -> str:
    """first.last@domain in the letters an address may hold before the @: Åsa Öberg is
    asa.oberg (Django's EmailValidator, and so the admin's user form, refuses å, ä, ö)."""
    local = f"{first}.{last}".lower().replace(" ", "-")
    decomposed = unicodedata.normalize("NFKD", local)
    local = "".join(c for c in decomposed if not unicodedata.combining(c))
    return f"{local.encode('ascii', 'ignore').decode()}@{domain}"
