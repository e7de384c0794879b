"""Demo records of every register of access to customer data (issue 15), so a newcomer sees
the registers filled. Each part's `load` adds its records once (it checks first)."""

from access.demo import confidentiality, consent, reviews, standing, support_copies, temporary


def load(*, now, people, customers) -> None:
    """`people`: the first demo user of each role (by role value); `customers`: the demo
    customers that have portal users, first."""
    for part in (confidentiality, standing, temporary, consent, support_copies, reviews):
        part.load(now=now, people=people, customers=customers)
