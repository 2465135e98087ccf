"""The demo contact page: the fields a studio asks for, with a session-type dropdown.

Safe to run again: the page is found by its slug and gets a new revision only when its demo
content differs from what is there."""

from __future__ import annotations

from collections.abc import Callable

from editorial import demo as editorial_demo

from .models import ContactFormField, ContactPage

Log = Callable[[str], None]

# (label, field type, required, choices, help text)
FIELDS = [
    ("Nom", "singleline", True, "", ""),
    ("E-mail", "email", True, "", ""),
    ("Téléphone", "singleline", False, "", "Pour vous rappeler, si vous préférez."),
    (
        "Type de séance",
        "dropdown",
        True,
        "Portrait\nMariage\nFamille et naissance\nPhotos d'entreprise\nAutre demande",
        "",
    ),
    ("Message", "multiline", True, "", "Une date, un lieu, une envie : dites-nous tout."),
]


def seed(home, log: Log) -> ContactPage:
    page = editorial_demo._sync_page(
        home,
        ContactPage,
        "contact",
        log,
        title="Contact",
        show_in_menus=True,
        search_description=(
            "Écrire au studio Booké : une séance portrait, un mariage, des photos d'entreprise."
        ),
        intro=(
            "<p>Une séance à réserver, un mariage à raconter, une question sur un tirage ? "
            "Écrivez-nous : nous répondons sous deux jours ouvrés.</p>"
        ),
        thank_you_text=(
            "<p>Merci, votre message est bien arrivé au studio. Nous vous répondons sous deux "
            "jours ouvrés, souvent plus vite.</p>"
        ),
        subject="Nouveau message depuis le site",
    )
    wanted = [
        (label, kind, required, choices, help_text)
        for label, kind, required, choices, help_text in FIELDS
    ]
    have = [
        (field.label, field.field_type, field.required, field.choices, field.help_text)
        for field in page.form_fields.all()
    ]
    if have != wanted:
        page.form_fields = [
            ContactFormField(
                label=label, field_type=kind, required=required, choices=choices,
                help_text=help_text, sort_order=position,
            )
            for position, (label, kind, required, choices, help_text) in enumerate(FIELDS)
        ]
        page.save_revision().publish()
        log(f"page « {page.title} »: form fields")
    return page
