"""The organisation: the department tree and its employees, imported from one CSV file."""
