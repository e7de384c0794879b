"""A draft of the supervisory authority's notification form for one customer (BR-04).

The processor never notifies an authority: this is only a draft the customer (the
controller) may copy into the authority's own form. It follows the sections of the Dutch AP's
online form (DESIGN.md, "Domain references"); a Belgian customer gets the GBA/APD variant in
Dutch. Every field says who fills it: what the processor knows from the incident and the
notice is prefilled, what only the controller knows is marked "to be completed by you", and
what the customer already recorded in the portal (its decision) is carried over as such.

The labels are the authority forms' own wording in the form's language, not the interface's:
a Belgian customer reading the product in English still files a Dutch form with the GBA. So
they live in `labels` as a fixed table per language (English and Dutch) instead of going
through the interface's translations.

The draft is computed on every request and never stored: it changes as the incident evolves
(triage, measures, the customer's own decision), it is not something the processor issues,
and a stored copy would only be an outdated version someone might file by mistake.

Modules: `labels` (the table of the forms' wording), `writer` (one field in the form's
language), `sections` (one function per section of the form), `build` (the draft as data,
as a PDF, and its file name). The package itself exports nothing.
"""
