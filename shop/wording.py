"""Oscar's own strings that the studio words its way. Oscar's templates still say them (the
dashboard's order page, a line's page); listed here, makemessages
keeps them in our French catalogue, which Django reads before Oscar's ("Ordre #100002" and
"Commande #100002" become "Commande n° 100002")."""

from django.utils.translation import gettext_noop

OSCAR_WORDING = (
    gettext_noop("Order #%(number)s"),
    gettext_noop("Order #%(number)s - Line #%(id)s"),
)
