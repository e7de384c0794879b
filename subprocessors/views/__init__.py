"""Pages of the subprocessor area: the public register, feed and subscriptions (SP-01), the
officer's change notices (SP-03), objections and board decisions (SP-04, SP-05) and the
right to terminate (SP-06). Thin: check access, read through selectors, call services."""
