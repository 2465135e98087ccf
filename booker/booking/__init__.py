"""Booking (issue 17): what a client can book (session types) and when (the photographers'
weekly hours, date overrides, busy times; the free slots are computed by `selectors.slots`).
The booking flow itself (hold, checkout, contract) builds on this package."""
