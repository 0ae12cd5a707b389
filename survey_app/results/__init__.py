"""Results: the one door through which anything derived from answers reaches a person.

Response rates, comment themes and scores, per department, for the viewer's scope, through
the anonymity gate in `analysis`, with a record in the audit trail."""
