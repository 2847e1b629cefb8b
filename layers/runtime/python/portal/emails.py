"""The portal's emails in English and French: subject, text and HTML from one set of words.

The English words are the portal's own (shared/portal-text.md); the French are ours. A message is
a list of paragraphs; `{code}` is shown large in the HTML and on its own line in the text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

LANGUAGES = ("en", "fr")
BRAND = {"en": "NATO MULTIMEDIA ACCOUNT", "fr": "COMPTE MULTIMÉDIA DE L'OTAN"}
TAGLINE = {
    "en": "Access NATO’s broadcast-quality video content free of charge",
    "fr": "Accédez gratuitement aux vidéos de qualité broadcast de l'OTAN",
}
# Stands for the code in a template; replaced last so that nothing else can smuggle it in.
CODE = "{code}"
# Stands for a link (newsletter unsubscribe): shown as a link in the HTML and in full in the text.
LINK = "{link}"


def _fill(paragraph: str, details: dict[str, str]) -> str:
    # One pass over the template's own fields: a value that itself holds "{ip}" stays as it is.
    return re.sub(r"\{(\w+)\}", lambda m: details.get(m.group(1), m.group(0)), paragraph)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = ""


TEMPLATES: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "verify_email": {
        "en": (
            "Your verification code",
            (
                "Here is your verification code. Enter it to verify your email address.",
                CODE,
                "This code will expire in 30 minutes.",
                "If you did not create an account, you can ignore this email.",
            ),
        ),
        "fr": (
            "Votre code de vérification",
            (
                "Voici votre code de vérification. Saisissez-le pour vérifier votre adresse e-mail.",
                CODE,
                "Ce code expirera dans 30 minutes.",
                "Si vous n'avez pas créé de compte, vous pouvez ignorer cet e-mail.",
            ),
        ),
    },
    "signup_attempt": {
        "en": (
            "Someone tried to create an account with your email",
            (
                "Someone tried to create an account with your email address, but you already have one.",
                "If it was you, log in with your password, or use “Reset password” if you have forgotten it.",
                "If it was not you, you can ignore this email: nothing has changed on your account.",
            ),
        ),
        "fr": (
            "Quelqu'un a tenté de créer un compte avec votre adresse e-mail",
            (
                "Quelqu'un a tenté de créer un compte avec votre adresse e-mail, mais vous en avez déjà un.",
                "Si c'était vous, connectez-vous avec votre mot de passe, ou utilisez « Réinitialiser le mot de passe » si vous l'avez oublié.",
                "Si ce n'était pas vous, vous pouvez ignorer cet e-mail : rien n'a changé sur votre compte.",
            ),
        ),
    },
    "reset_password": {
        "en": (
            "Reset password",
            (
                "Here is your code to reset your password. Enter it to choose a new password.",
                CODE,
                "This code will expire in 30 minutes.",
                "If you did not ask to reset your password, you can ignore this email: your password has not changed.",
            ),
        ),
        "fr": (
            "Réinitialiser le mot de passe",
            (
                "Voici votre code pour réinitialiser votre mot de passe. Saisissez-le pour choisir un nouveau mot de passe.",
                CODE,
                "Ce code expirera dans 30 minutes.",
                "Si vous n'avez pas demandé à réinitialiser votre mot de passe, vous pouvez ignorer cet e-mail : votre mot de passe n'a pas changé.",
            ),
        ),
    },
    "password_changed": {
        "en": (
            "Your password has been updated",
            (
                "Your password has been updated.",
                "You have been signed out on your other devices: log in with your new password.",
                "If you did not change your password, use “Reset password” at once to choose a new one.",
            ),
        ),
        "fr": (
            "Votre mot de passe a été mis à jour",
            (
                "Votre mot de passe a été mis à jour.",
                "Vous avez été déconnecté de vos autres appareils : connectez-vous avec votre nouveau mot de passe.",
                "Si vous n'avez pas changé votre mot de passe, utilisez tout de suite « Réinitialiser le mot de passe » pour en choisir un nouveau.",
            ),
        ),
    },
    "email_taken": {
        "en": (
            "Someone tried to move an account to your email",
            (
                "Someone tried to change the email address of another NATO Multimedia account to this address, which already has an account.",
                "Nothing has changed on your account, and nothing will: you can ignore this email.",
            ),
        ),
        "fr": (
            "Quelqu'un a tenté de déplacer un compte vers votre adresse e-mail",
            (
                "Quelqu'un a tenté de remplacer l'adresse e-mail d'un autre compte multimédia de l'OTAN par cette adresse, qui a déjà un compte.",
                "Rien n'a changé sur votre compte, et rien ne changera : vous pouvez ignorer cet e-mail.",
            ),
        ),
    },
    "email_changed": {
        "en": (
            "The email address of your account has changed",
            (
                "The email address of your NATO Multimedia account has been changed: this address no longer signs in.",
                "If you did not make this change, please contact us at once.",
            ),
        ),
        "fr": (
            "L'adresse e-mail de votre compte a changé",
            (
                "L'adresse e-mail de votre compte multimédia de l'OTAN a été modifiée : cette adresse ne permet plus de vous connecter.",
                "Si vous n'êtes pas à l'origine de ce changement, veuillez nous contacter immédiatement.",
            ),
        ),
    },
    "account_deleted": {
        "en": (
            "Your account has been deleted",
            (
                "Your NATO Multimedia account and its data have been deleted, as you asked.",
                "You can create a new account with this email address at any time.",
                "If you did not delete your account, please contact us.",
            ),
        ),
        "fr": (
            "Votre compte a été supprimé",
            (
                "Votre compte multimédia de l'OTAN et ses données ont été supprimés, comme vous l'avez demandé.",
                "Vous pouvez créer un nouveau compte avec cette adresse e-mail à tout moment.",
                "Si vous n'avez pas supprimé votre compte, veuillez nous contacter.",
            ),
        ),
    },
    # {device}, {time} and {ip} are filled in by render(details=...), escaped for the HTML.
    "new_sign_in": {
        "en": (
            "New sign-in to your NATO Multimedia account",
            (
                "New sign-in to your NATO Multimedia account: {device}, {time}, {ip}.",
                "If it was you, there is nothing to do.",
                "Not you? Reset your password now: every session ends, and check where you are signed in from your account.",
            ),
        ),
        "fr": (
            "Nouvelle connexion à votre compte multimédia de l'OTAN",
            (
                "Nouvelle connexion à votre compte multimédia de l'OTAN : {device}, {time}, {ip}.",
                "Si c'était vous, vous n'avez rien à faire.",
                "Ce n'était pas vous ? Réinitialisez votre mot de passe maintenant : toutes les sessions prennent fin. Vérifiez aussi où vous êtes connecté(e) depuis votre compte.",
            ),
        ),
    },
    "passkey_added": {
        "en": (
            "A passkey has been added to your account",
            (
                "A passkey has been added to your NATO Multimedia account: it can now sign in without a password.",
                "You can see and remove your passkeys on your account page.",
                "If you did not add it, remove it from your account page and change your password at once.",
            ),
        ),
        "fr": (
            "Une clé d'accès a été ajoutée à votre compte",
            (
                "Une clé d'accès a été ajoutée à votre compte multimédia de l'OTAN : elle permet désormais de vous connecter sans mot de passe.",
                "Vous pouvez voir et supprimer vos clés d'accès sur la page de votre compte.",
                "Si vous ne l'avez pas ajoutée, supprimez-la depuis la page de votre compte et changez tout de suite votre mot de passe.",
            ),
        ),
    },
    "passkey_removed": {
        "en": (
            "A passkey has been removed from your account",
            (
                "A passkey has been removed from your NATO Multimedia account: it can no longer sign in.",
                "If you did not remove it, please contact us.",
            ),
        ),
        "fr": (
            "Une clé d'accès a été supprimée de votre compte",
            (
                "Une clé d'accès a été supprimée de votre compte multimédia de l'OTAN : elle ne permet plus de vous connecter.",
                "Si vous ne l'avez pas supprimée, veuillez nous contacter.",
            ),
        ),
    },
    "mfa_enabled": {
        "en": (
            "Two-step verification is on",
            (
                "Two-step verification is now on for your NATO Multimedia account: signing in asks for a code from your authenticator app after your password.",
                "Keep your recovery codes somewhere safe: each one signs you in once if you lose your phone.",
                "If you did not turn on two-step verification, use “Reset password” at once and contact us.",
            ),
        ),
        "fr": (
            "La validation en deux étapes est activée",
            (
                "La validation en deux étapes est désormais activée pour votre compte multimédia de l'OTAN : après votre mot de passe, la connexion demande un code de votre application d'authentification.",
                "Conservez vos codes de secours en lieu sûr : chacun permet de vous connecter une fois si vous perdez votre téléphone.",
                "Si vous n'avez pas activé la validation en deux étapes, utilisez tout de suite « Réinitialiser le mot de passe » et contactez-nous.",
            ),
        ),
    },
    "mfa_disabled": {
        "en": (
            "Two-step verification is off",
            (
                "Two-step verification has been turned off for your NATO Multimedia account: signing in now asks only for your password.",
                "If you did not turn it off, use “Reset password” at once, turn two-step verification on again and contact us.",
            ),
        ),
        "fr": (
            "La validation en deux étapes est désactivée",
            (
                "La validation en deux étapes a été désactivée pour votre compte multimédia de l'OTAN : la connexion ne demande plus que votre mot de passe.",
                "Si vous ne l'avez pas désactivée, utilisez tout de suite « Réinitialiser le mot de passe », réactivez la validation en deux étapes et contactez-nous.",
            ),
        ),
    },
    # A paragraph starting with LINK is the unsubscribe link, its text after the marker.
    "newsletter_welcome": {
        "en": (
            "You have subscribed to our newsletter",
            (
                "Thank you for subscribing to the newsletter: you will receive our latest updates.",
                "You can unsubscribe at any time with the link below or from your account.",
                LINK + " Unsubscribe",
            ),
        ),
        "fr": (
            "Vous êtes abonné(e) à notre lettre d'information",
            (
                "Merci de vous être abonné(e) à la lettre d'information : vous recevrez nos dernières nouvelles.",
                "Vous pouvez vous désabonner à tout moment avec le lien ci-dessous ou depuis votre compte.",
                LINK + " Se désabonner",
            ),
        ),
    },
}


def render(
    kind: str,
    language: str,
    to: str,
    code: str | None = None,
    link: str | None = None,
    details: dict[str, str] | None = None,
) -> Mail:
    """`details` fill the template's `{name}` fields (a device, a time, an address): text, never markup."""
    language = language if language in LANGUAGES else "en"
    subject, paragraphs = TEMPLATES[kind][language]
    if details:
        paragraphs = tuple(p if p == CODE or p.startswith(LINK) else _fill(p, details) for p in paragraphs)
    text_lines, html_blocks = [BRAND[language], ""], []
    for paragraph in paragraphs:
        if paragraph == CODE:
            assert code is not None, f"{kind} needs a code"
            text_lines += [f"    {code}", ""]
            html_blocks.append(
                f'<p style="font-size:28px;font-weight:bold;letter-spacing:6px;margin:24px 0">{html.escape(code)}</p>'
            )
        elif paragraph.startswith(LINK):
            assert link is not None, f"{kind} needs a link"
            label = paragraph.removeprefix(LINK).strip()
            text_lines += [f"{label} {link}", ""]
            html_blocks.append(f'<p><a href="{html.escape(link, quote=True)}">{html.escape(label)}</a></p>')
        else:
            text_lines += [paragraph, ""]
            html_blocks.append(f"<p>{html.escape(paragraph)}</p>")
    body = "\n".join(html_blocks)
    page = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{html.escape(subject)}</title></head>'
        '<body style="font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;max-width:560px;margin:auto;padding:16px">'
        f'<p style="font-weight:bold;letter-spacing:1px">{html.escape(BRAND[language])}</p>'
        f"{body}"
        f'<p style="color:#666;font-size:12px">{html.escape(TAGLINE[language])}</p>'
        "</body></html>"
    )
    return Mail(to=to, subject=subject, text="\n".join(text_lines).rstrip() + "\n", html=page, kind=kind)
