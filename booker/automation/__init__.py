"""The automation engine: rules "when EVENT [and CONDITIONS] then ACTION [after DELAY]" turn the
domain events (booker.events) into emails, staff tasks and outbound webhooks, each recorded
once in the outbox (`Message`) and sent by the worker.

- models.py: `EmailTemplate`, `Rule`, `Message` (the outbox), `StaffTask`.
- machine.py: a message's life (pending → sending → sent / failed → … / dead / skipped).
- planner.py: hears every event after its commit and writes one `Message` per rule × recipient,
  keyed so that the same event never plans the same message twice.
- sender.py: claims due messages (compare-and-set) and sends them; failures retried with backoff.
- context.py: the variables a template may use, and the subjects other apps describe (the shop's
  orders) through `register_subject`.
- subjects.py: the Booker's own subjects ("invitation:<pk>": the invited client and their link).
- defaults.py: the rules and templates the studio starts with, created after `migrate`.
"""
