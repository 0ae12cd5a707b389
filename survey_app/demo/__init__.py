"""A fictional municipality with survey waves, accounts and answers, to try the product."""
