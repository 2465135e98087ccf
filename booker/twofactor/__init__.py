"""A second factor (TOTP, with single-use recovery codes) for everyone who can reach a back office.

django-otp keeps the devices; this package decides who must have one (`selectors`), enrols,
verifies and resets (`services`), asks for it (`middleware`, `views`), under /accounts/2fa/."""
