"""Demo records of every register of processing on the customer's behalf (issue 16). Each
part's `load` adds its records once (it checks first)."""

from processing.demo import audits, contract_end, instructions, record, subject_requests


def load(*, now, people, customers) -> None:
    """`people`: the first demo user of each role (by role value); `customers`: the demo
    customers that have portal users, first."""
    for part in (instructions, subject_requests, audits, contract_end, record):
        part.load(now=now, people=people, customers=customers)
