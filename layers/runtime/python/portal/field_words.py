"""What a person reads about a field the API refused, in the portal's words, English or French.

`problem` (the validator's own text, such as "String should match pattern '^[0-9]{6}$'") stays for
developers; each refused field also gets a `message` a person can be shown, in the language the
request asks for (`Accept-Language`; the web client sends the site's language). The same words
as the web client's (web/i18n.js, `fields`).
"""

from __future__ import annotations

from portal.errors import ApiError, InvalidParameter

LANGUAGES = ("en", "fr")
_EMAIL = ("Enter a valid email address.", "Saisissez une adresse e-mail valide.")
WORDS: dict[str, tuple[str, str]] = {
    "email": _EMAIL,
    "newEmail": _EMAIL,
    "code": ("Enter the 6-digit code from the email.", "Saisissez le code à 6 chiffres reçu par e-mail."),
    "password": ("Enter your password.", "Saisissez votre mot de passe."),
    "currentPassword": ("Enter your current password.", "Saisissez votre mot de passe actuel."),
    "newPassword": ("Enter a new password.", "Saisissez un nouveau mot de passe."),
    "language": ("Choose English or French.", "Choisissez l'anglais ou le français."),
    "q": ("Shorten the search to at most 200 characters.", "Raccourcissez la recherche à 200 caractères au plus."),
}
OTHER = ("Check this field.", "Vérifiez ce champ.")
SUMMARY = (
    "Some of the information is not valid. Check the fields marked below.",
    "Certaines informations ne sont pas valides. Vérifiez les champs signalés ci-dessous.",
)


def language_of(accept_language: str | None) -> str:
    """The first of our languages the request names (`fr-FR,fr;q=0.9,en;q=0.8` -> fr); English otherwise."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "en"


def in_words(error: ApiError, accept_language: str | None) -> ApiError:
    """An InvalidParameter with a person's `message` per field, in the request's language."""
    fields = error.extra.get("fields") if isinstance(error, InvalidParameter) else None
    if not isinstance(fields, list) or not fields:
        return error
    index = LANGUAGES.index(language_of(accept_language))
    error.extra["fields"] = [
        {**field, "message": WORDS.get(str(field.get("field", "")).split(".")[-1], OTHER)[index]}
        for field in fields
        if isinstance(field, dict)
    ]
    if error.message == InvalidParameter.message:
        error.message = SUMMARY[index]
    return error
