from base64 import b32decode
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand
from django_otp.oath import totp

from booker.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the demo accounts, their password and the demo's second-factor key."

    def handle(self, *args, **options):
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD})")
        for login in DEMO_LOGINS:
            self.stdout.write(f"    {login.email:<22} {login.what}")
        # The back-office accounts of the demo (and only they) share one public TOTP key,
        # seeded by booker.demo: add it once to an authenticator app, or use the code below.
        issuer = settings.OTP_TOTP_ISSUER
        uri = (f"otpauth://totp/{quote(f'{issuer} démo')}?secret={DEMO_TOTP_SECRET}"
               f"&issuer={quote(issuer)}&algorithm=SHA1&digits=6&period=30")
        key = " ".join(DEMO_TOTP_SECRET[i:i + 4] for i in range(0, len(DEMO_TOTP_SECRET), 4))
        code = totp(b32decode(DEMO_TOTP_SECRET))
        self.stdout.write("")
        self.stdout.write("  Second factor of the back-office demo accounts (demo only):")
        self.stdout.write(f"    key      {key}")
        self.stdout.write(f"    app      {uri}")
        self.stdout.write(f"    code now {code:06d}  (changes every 30 s: "
                          "`python manage.py demo_logins` again)")
