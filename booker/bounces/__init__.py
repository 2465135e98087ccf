"""Late bounces: the delivery status notifications that relays send to the envelope sender
(BOOKE_BOUNCE_ADDRESS) after accepting an email, read from that mailbox over IMAP by the
worker (`reader`), parsed (`dsn`), matched to the email they report (`selectors`) and
recorded on it (`services`): a campaign email or an automation message becomes bounced."""
