"""Outbound webhooks to an external system (a CRM): staff register endpoints in /admin/ with
the event types each wants; every such event (booker.events) becomes one delivery per
endpoint, signed like Stripe's (`Booke-Signature: t=…,v1=…`), sent by the worker through the
SSRF guard (booker.outbound), retried with a growing delay, each attempt logged, replayable;
an endpoint that keeps failing is switched off and the studio told. The receiving side's
check is in docs/webhooks.md."""
