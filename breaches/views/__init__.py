"""Pages of the breach workflow (BR-01 … BR-11), one module per kind of user.

- `staff`: the officers' and staff's incident pages; `staff_selection` (choosing the
  affected customers, the notice preview) and `staff_progress` (the fan-out progress and
  the per-notice pages) beside it.
- `portal`: the customer portal's notice pages.
- `evidence`: the authority form draft, the evidence dossier and the calendar feed.
- `common`: the few helpers they share.

Thin views: `require` checks the action, the `breaches.selectors` read scoped by the user
(another customer's notice answers 404), the forms validate and the services write. Every
page works without JavaScript; htmx only refreshes the fan-out progress while it runs.
There is no page, button or form that lets the processor notify an authority (BR-04).
The URL configuration (`breaches.urls`) imports the modules; this package exports nothing.
"""
